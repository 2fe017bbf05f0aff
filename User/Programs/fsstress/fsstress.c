/* fsstress: a file-system workload that checks what it reads back.

     fsstress [PROCESSES [ROUNDS]]   stress: PROCESSES children (default 4), each
                                     ROUNDS rounds (default 20) in its own
                                     directory fss.N: files written in uneven
                                     pieces and read back, truncated and
                                     rewritten, linked, unlinked, directories
                                     made and removed; then everything removed.
     fsstress write DIR COUNT        files DIR/f0 .. DIR/f(COUNT-1), one at a
                                     time; after each is written and closed it
                                     prints "fsstress: committed fK SIZE".
     fsstress verify DIR COUNT       checks that DIR/f0 .. DIR/f(COUNT-1) hold
                                     exactly what `write` put there.

   Every byte written is a function of (file id, offset), so any byte read
   back can be checked. Exit status 0 when every check passed. */
#include "user.h"

#define CHUNK 4096

static unsigned char buffer[CHUNK];
static char path[64];
static char path2[64];

/* The byte at `offset` of the file with id `id`. */
static unsigned char content(uint id, uint offset) {
  uint x = id * 2654435761u + offset;
  x ^= x >> 13;
  x *= 0x5bd1e995u;
  x ^= x >> 15;
  return (unsigned char)x;
}

/* Sizes vary from empty to past the 12 direct blocks (12 KiB). */
static uint size_for(uint id) { return (id * 7919u) % (40u * 1024u); }

/* "DIR/PREFIXnumber" into out. */
static char *make_path(char *out, const char *dir, const char *prefix, uint number) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = (char)('0' + number % 10);
    number /= 10;
  } while (number > 0);
  int k = 0;
  for (const char *s = dir; *s != '\0' && k < 40; s++)
    out[k++] = *s;
  out[k++] = '/';
  for (const char *s = prefix; *s != '\0' && k < 50; s++)
    out[k++] = *s;
  while (n > 0)
    out[k++] = digits[--n];
  out[k] = '\0';
  return out;
}

/* Writes `size` bytes of file `id` into fd, in pieces of uneven length. */
static int write_content(int fd, uint id, uint size) {
  uint done = 0, step = 0;
  while (done < size) {
    uint piece = 1 + (id * 97u + step * 613u) % CHUNK;
    if (piece > size - done)
      piece = size - done;
    for (uint i = 0; i < piece; i++)
      buffer[i] = content(id, done + i);
    if (write(fd, buffer, (int)piece) != (int)piece)
      return -1;
    done += piece;
    step++;
  }
  return 0;
}

/* Checks that `name` holds exactly file `id`'s first `size` bytes. */
static int check_file(const char *name, uint id, uint size) {
  int fd = open(name, O_RDONLY);
  if (fd < 0) {
    fprintf(2, "fsstress: cannot open %s\n", name);
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) < 0 || st.type != T_FILE || st.size != size) {
    fprintf(2, "fsstress: %s: size %d, expected %d\n", name, (int)st.size, (int)size);
    close(fd);
    return -1;
  }
  uint done = 0;
  int n;
  while ((n = read(fd, buffer, CHUNK)) > 0) {
    for (int i = 0; i < n; i++) {
      if (buffer[i] != content(id, done + (uint)i)) {
        fprintf(2, "fsstress: %s: wrong byte at offset %d\n", name, (int)(done + (uint)i));
        close(fd);
        return -1;
      }
    }
    done += (uint)n;
  }
  close(fd);
  if (n < 0 || done != size) {
    fprintf(2, "fsstress: %s: read %d of %d bytes\n", name, (int)done, (int)size);
    return -1;
  }
  return 0;
}

/* Creates (or truncates) `name` with file `id`'s content. */
static int make_file(const char *name, uint id, uint size) {
  int fd = open(name, O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0) {
    fprintf(2, "fsstress: cannot create %s\n", name);
    return -1;
  }
  int r = write_content(fd, id, size);
  close(fd);
  if (r < 0)
    fprintf(2, "fsstress: write to %s failed\n", name);
  return r;
}

static int must_be_gone(const char *name) {
  int fd = open(name, O_RDONLY);
  if (fd >= 0) {
    close(fd);
    fprintf(2, "fsstress: %s still opens after its unlink\n", name);
    return -1;
  }
  return 0;
}

/* One child's work in directory fss.CHILD. */
static int stress_child(uint child, uint rounds) {
  char dir[16];
  make_path(dir, "", "fss.", child);
  const char *d = dir + 1; /* without the leading '/': relative to the working directory */
  if (mkdir(d) < 0) {
    fprintf(2, "fsstress: cannot make %s\n", d);
    return 1;
  }
  for (uint r = 0; r < rounds; r++) {
    uint id = child * 1000 + r;
    make_path(path, d, "r", r);
    if (make_file(path, id, size_for(id)) < 0 || check_file(path, id, size_for(id)) < 0)
      return 1;
    if (r % 5 == 4) { /* truncate and rewrite with other content */
      if (make_file(path, id + 500, size_for(id + 500)) < 0 || check_file(path, id + 500, size_for(id + 500)) < 0)
        return 1;
      if (make_file(path, id, size_for(id)) < 0)
        return 1;
    }
    if (r % 3 == 1) { /* a directory with a file, linked out of it, then removed */
      make_path(path2, d, "d", r);
      if (mkdir(path2) < 0) {
        fprintf(2, "fsstress: cannot make %s\n", path2);
        return 1;
      }
      char inner[64];
      make_path(inner, path2, "x", r);
      make_path(path2, d, "l", r);
      if (make_file(inner, id + 700, 3000) < 0 || link(inner, path2) < 0 || unlink(inner) < 0) {
        fprintf(2, "fsstress: link or unlink around %s failed\n", inner);
        return 1;
      }
      if (check_file(path2, id + 700, 3000) < 0 || must_be_gone(inner) < 0)
        return 1;
      make_path(path2, d, "d", r);
      if (unlink(path2) < 0) {
        fprintf(2, "fsstress: cannot remove the empty directory %s\n", path2);
        return 1;
      }
    }
    if (r % 2 == 1) { /* the previous round's file goes */
      make_path(path2, d, "r", r - 1);
      if (check_file(path2, id - 1, size_for(id - 1)) < 0 || unlink(path2) < 0 || must_be_gone(path2) < 0)
        return 1;
    }
  }
  /* Everything left must still be right; then it all goes. */
  for (uint r = 0; r < rounds; r++) {
    uint id = child * 1000 + r;
    make_path(path, d, "r", r);
    if (r % 2 == 1 || r + 1 == rounds) { /* odd rounds' files, and the last round's */
      if (check_file(path, id, size_for(id)) < 0 || unlink(path) < 0)
        return 1;
    }
    make_path(path, d, "l", r);
    if (r % 3 == 1 && (check_file(path, id + 700, 3000) < 0 || unlink(path) < 0))
      return 1;
  }
  if (unlink(d) < 0) {
    fprintf(2, "fsstress: %s is not empty at the end\n", d);
    return 1;
  }
  return 0;
}

static int stress(uint processes, uint rounds) {
  for (uint c = 0; c < processes; c++) {
    int pid = fork();
    if (pid < 0) {
      fprintf(2, "fsstress: fork failed\n");
      return 1;
    }
    if (pid == 0)
      exit(stress_child(c, rounds));
  }
  int failures = 0, status;
  for (uint c = 0; c < processes; c++) {
    if (wait(&status) < 0 || status != 0)
      failures++;
  }
  if (failures > 0) {
    printf("fsstress: %d of %d processes FAILED\n", failures, (int)processes);
    return 1;
  }
  printf("fsstress: %d processes x %d rounds: ok\n", (int)processes, (int)rounds);
  return 0;
}

/* The power-cut workload: a line only once a file is written and closed. */
static int write_files(const char *dir, uint count) {
  mkdir(dir); /* may exist already */
  for (uint k = 0; k < count; k++) {
    make_path(path, dir, "f", k);
    uint size = size_for(k + 1) + 1;
    if (make_file(path, k + 1, size) < 0)
      return 1;
    printf("fsstress: committed f%d %d\n", (int)k, (int)size);
  }
  return 0;
}

static int verify_files(const char *dir, uint count) {
  for (uint k = 0; k < count; k++) {
    make_path(path, dir, "f", k);
    if (check_file(path, k + 1, size_for(k + 1) + 1) < 0)
      return 1;
  }
  printf("fsstress: verified %d files in %s\n", (int)count, dir);
  return 0;
}

int main(int argc, char *argv[]) {
  if (argc == 4 && strcmp(argv[1], "write") == 0)
    return write_files(argv[2], (uint)atoi(argv[3]));
  if (argc == 4 && strcmp(argv[1], "verify") == 0)
    return verify_files(argv[2], (uint)atoi(argv[3]));
  if (argc <= 3 && (argc < 2 || (argv[1][0] >= '1' && argv[1][0] <= '9'))) {
    uint processes = argc > 1 ? (uint)atoi(argv[1]) : 4;
    uint rounds = argc > 2 ? (uint)atoi(argv[2]) : 20;
    if (processes > 0 && processes <= 16 && rounds > 0 && rounds <= 500)
      return stress(processes, rounds);
  }
  fprintf(2, "usage: fsstress [PROCESSES [ROUNDS]] | fsstress write DIR COUNT | fsstress verify DIR COUNT\n");
  return 2;
}
