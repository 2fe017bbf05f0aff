/* The file-system operations of bench's four file-system rows
   (docs/benchmarks.md), shared by bench.c and by the program that runs the
   same operations on another kernel (Tools/xv6-bench/fsbench.c). Include it
   after user.h (and, for xv6's headers, after kernel/stat.h, kernel/fs.h
   and kernel/fcntl.h): it uses only xv6's calls and structures. Each
   operation returns 0 when everything it did came out right. */
#ifndef BENCH_FS_OPS_H
#define BENCH_FS_OPS_H

/* The size of one write and one read. */
#define FS_BENCH_WRITE 4096

static char block[FS_BENCH_WRITE];

/* A file's life: create, write 4 KiB, close, unlink. */
static int op_create(void) {
  int fd = open("bench.f", O_CREATE | O_RDWR);
  if (fd < 0)
    return 1;
  int bad = write(fd, block, FS_BENCH_WRITE) != FS_BENCH_WRITE;
  close(fd);
  return unlink("bench.f") != 0 || bad;
}

/* 1 MiB is more than the largest file (268 KiB): it is written as four
   files of 256 KiB, each in 4 KiB writes, every block stamped with its
   number so that the read benchmark can check what comes back. */
#define BIG_FILES 4
#define BIG_FILE_BLOCKS 64
static char big_name[] = "bench.m0";

static int op_write_1m(void) {
  int bad = 0;
  for (int f = 0; f < BIG_FILES; f++) {
    big_name[7] = (char)('0' + f);
    int fd = open(big_name, O_CREATE | O_TRUNC | O_WRONLY);
    if (fd < 0)
      return 1;
    for (int b = 0; b < BIG_FILE_BLOCKS; b++) {
      *(int *)block = f * BIG_FILE_BLOCKS + b;
      bad |= write(fd, block, FS_BENCH_WRITE) != FS_BENCH_WRITE;
    }
    close(fd);
  }
  return bad;
}

static int op_read_1m(void) {
  int bad = 0;
  for (int f = 0; f < BIG_FILES; f++) {
    big_name[7] = (char)('0' + f);
    int fd = open(big_name, O_RDONLY);
    if (fd < 0)
      return 1;
    for (int b = 0; b < BIG_FILE_BLOCKS; b++)
      bad |= read(fd, block, FS_BENCH_WRITE) != FS_BENCH_WRITE || *(int *)block != f * BIG_FILE_BLOCKS + b;
    bad |= read(fd, block, FS_BENCH_WRITE) != 0;
    close(fd);
  }
  return bad;
}

/* What ls does for a directory of 100 files, without printing: open it,
   read the 16-byte entries one at a time, stat each entry by its path. */
#define LS_ENTRIES 100
static char ls_path[] = "bench.d/e00";

static int op_ls_100(void) {
  int fd = open("bench.d", O_RDONLY);
  if (fd < 0)
    return 1;
  struct dirent e;
  struct stat st;
  int files = 0, bad = 0;
  while (read(fd, &e, sizeof e) == sizeof e) {
    if (e.inum == 0 || e.name[0] == '.')
      continue;
    ls_path[8] = e.name[0];
    ls_path[9] = e.name[1];
    ls_path[10] = e.name[2];
    bad |= stat(ls_path, &st) != 0 || st.type != T_FILE;
    files++;
  }
  close(fd);
  return bad || files != LS_ENTRIES;
}

/* The files the read and ls benchmarks need, made before and removed after. */
static int make_ls_directory(void) {
  if (mkdir("bench.d") < 0)
    return -1;
  for (int i = 0; i < LS_ENTRIES; i++) {
    ls_path[9] = (char)('0' + i / 10);
    ls_path[10] = (char)('0' + i % 10);
    int fd = open(ls_path, O_CREATE | O_RDWR);
    if (fd < 0)
      return -1;
    close(fd);
  }
  return 0;
}

static int remove_bench_files(void) {
  int bad = 0;
  for (int i = 0; i < LS_ENTRIES; i++) {
    ls_path[9] = (char)('0' + i / 10);
    ls_path[10] = (char)('0' + i % 10);
    bad |= unlink(ls_path) != 0;
  }
  bad |= unlink("bench.d") != 0;
  for (int f = 0; f < BIG_FILES; f++) {
    big_name[7] = (char)('0' + f);
    bad |= unlink(big_name) != 0;
  }
  return bad ? -1 : 0;
}

#endif
