/* struct stat as the kernel fills it (fstat, system call 8). */
#ifndef SWIFTLET_STAT_H
#define SWIFTLET_STAT_H
#include "types.h"
#define T_DIR 1    /* directory */
#define T_FILE 2   /* file */
#define T_DEVICE 3 /* device */
struct stat {
  int dev;      /* device number */
  uint ino;     /* inode number */
  short type;   /* T_DIR, T_FILE or T_DEVICE */
  short nlink;  /* links to the file */
  uint64 size;  /* size in bytes */
};
#endif
