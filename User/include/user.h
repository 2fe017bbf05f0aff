/* The Swiftlet user-program interface for C: system calls (xv6's, then
   Swiftlet's own) and the small C library in User/lib. */
#ifndef SWIFTLET_USER_H
#define SWIFTLET_USER_H
#include "types.h"
#include "stat.h"
#include "fcntl.h"

/* A region of the calling process's address space, as memmap() reports it. */
#define MR_READ 0x1
#define MR_WRITE 0x2
#define MR_EXEC 0x4
#define MR_USER 0x8
#define MR_GUARD 0x1 /* flags: unmapped on purpose */
/* flags bits 8-11: the kind (1 direct, 2 frames, 3 window, 4 guard, 5 unused);
   bits 12-15: the owner (1 kernel, 2 process, 3 user); see LayoutText.swift. */
#define MR_KIND(flags) (((flags) >> 8) & 0xf)
#define MR_OWNER(flags) (((flags) >> 12) & 0xf)
/* state: what the run's pages are (0 for guards and the kernel's pages);
   see LayoutLineState in LayoutText.swift and docs/virtual-space.md. */
#define MR_PRIVATE 1 /* mapped, this process its frames' only user */
#define MR_SHARED 2  /* mapped, frames shared after fork (users says by how many) */
#define MR_LAZY 3    /* heap or stack reserved, not touched yet: no frame */
struct memregion {
  uint64 start;  /* first address */
  uint64 end;    /* one past the last address */
  uint32 perms;  /* MR_READ | MR_WRITE | MR_EXEC | MR_USER */
  uint32 flags;  /* MR_GUARD, MR_KIND, MR_OWNER */
  char name[48]; /* NUL-terminated */
  uint32 state;  /* MR_PRIVATE, MR_SHARED, MR_LAZY or 0 */
  uint32 users;  /* MR_SHARED: how many processes map the frames */
};

/* How a child ended, as waitinfo() reports it: its exit, a kill, or the
   fault that killed it, with the fault's address and pc (the kernel's
   report line names the same). Kernel/Process/ProcessEnding.swift. */
#define END_EXITED 0
#define END_KILLED 1
#define END_READFAULT 2
#define END_WRITEFAULT 3
#define END_EXECUTEFAULT 4
#define END_ILLEGALINSTRUCTION 5
#define END_MISALIGNED 6
#define END_BREAKPOINT 7
#define END_EXCEPTION 8 /* detail: the architecture's trap code */
#define END_OUTOFMEMORY 9 /* a lazy or copy-on-write page found no frame */
struct exitinfo {
  int pid;
  int status;    /* exit's status, -1 if killed */
  uint32 cause;  /* END_* */
  uint32 detail;
  uint64 address; /* of the fault */
  uint64 pc;
};

/* A directory record, as read() on a directory returns them. */
#define DIRSIZ 14
struct dirent {
  ushort inum;
  char name[DIRSIZ];
};

/* System calls (User/Arch/<arch>/syscall.S). */
int fork(void);
int exit(int) __attribute__((noreturn));
int wait(int *);
int pipe(int *);
int write(int, const void *, int);
int read(int, void *, int);
int close(int);
int kill(int);
int exec(const char *, char **);
int open(const char *, int);
int mknod(const char *, short, short);
int unlink(const char *);
int fstat(int fd, struct stat *);
int link(const char *, const char *);
int mkdir(const char *);
int chdir(const char *);
int dup(int);
int getpid(void);
char *sbrk(int);
int sleep(int);
int uptime(void);
/* Swiftlet's own calls. */
long freeframes(void);
int memmap(struct memregion *, int max);
long kheap(void);
int halt(int status);
long idlecount(void); /* instruction-counter units spent idle since boot */
int waitinfo(struct exitinfo *);
int cpucount(void);    /* CPUs that run the kernel (and so processes) */
/* Any call with raw 64-bit arguments (tests pass values C types would truncate). */
long usyscall(long number, long a0, long a1, long a2, long a3, long a4, long a5);

/* ulib.c */
int stat(const char *, struct stat *);
char *strcpy(char *, const char *);
void *memmove(void *, const void *, size_t);
char *strchr(const char *, char c);
int strcmp(const char *, const char *);
char *gets(char *, int max);
uint strlen(const char *);
void *memset(void *, int, size_t);
int atoi(const char *);
int memcmp(const void *, const void *, size_t);
void *memcpy(void *, const void *, size_t);

/* printf.c: %d %i %u %x %p %s %c %%, with l/ll, a width and 0-padding. */
void fprintf(int, const char *, ...) __attribute__((format(__printf__, 2, 3)));
void printf(const char *, ...) __attribute__((format(__printf__, 1, 2)));

/* umalloc.c */
void *malloc(size_t);
void free(void *);
void *heap_allocate(size_t); /* malloc and free for the Swift runtime */
void heap_free(void *);
#endif
