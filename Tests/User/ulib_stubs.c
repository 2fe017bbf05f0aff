/* Stand-in system calls for the host test of the user C library: write
   collects output, read serves a preset input, sbrk hands out a static
   arena, and open/fstat/close know one file. Compiled with host_rename.h. */
#include "user.h"

#define ARENA (4 << 20)
static char arena[ARENA + 64];
static long brk_offset = 8; /* start unaligned, as a real break after bss may be */
long stub_sbrk_calls;
char stub_output[1 << 16];
int stub_output_length;
int stub_write_calls;
static const char *input;

void stub_set_input(const char *s) { input = s; }
char *stub_arena(void) { return arena; }

char *sbrk(int n) {
  stub_sbrk_calls++;
  if (brk_offset + n < 0 || brk_offset + n > ARENA)
    return (char *)-1;
  char *old = arena + brk_offset;
  brk_offset += n;
  return old;
}

int write(int fd, const void *buf, int n) {
  const char *p = buf;
  stub_write_calls++;
  for (int i = 0; i < n && stub_output_length < (int)sizeof stub_output - 1; i++)
    stub_output[stub_output_length++] = p[i];
  stub_output[stub_output_length] = 0;
  return n;
}

int read(int fd, void *buf, int n) {
  if (fd != 0 || input == 0 || *input == 0 || n <= 0)
    return 0;
  *(char *)buf = *input++;
  return 1;
}

int open(const char *path, int flags) { return strcmp(path, "file") == 0 ? 3 : -1; }

int fstat(int fd, struct stat *st) {
  if (fd != 3)
    return -1;
  st->dev = 1;
  st->ino = 7;
  st->type = T_FILE;
  st->nlink = 1;
  st->size = 1234;
  return 0;
}

int close(int fd) { return fd == 3 ? 0 : -1; }
