/* wc: counts lines, words and bytes of each file named (or of standard
   input), one line per file, and a total line when there are several.
   A word is a run of bytes other than space, tab, newline, CR, VT, FF. */
#include "user.h"

struct counts {
  uint64 lines, words, bytes;
};

static char buffer[1024];

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* Counts fd to its end; -1 on a read error. */
static int count(int fd, struct counts *c) {
  int in_word = 0, n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) {
    c->bytes += (uint64)n;
    for (int i = 0; i < n; i++) {
      if (buffer[i] == '\n')
        c->lines++;
      if (is_space(buffer[i])) {
        in_word = 0;
      } else if (!in_word) {
        in_word = 1;
        c->words++;
      }
    }
  }
  return n < 0 ? -1 : 0;
}

static void show(struct counts *c, const char *name) {
  printf("%lu %lu %lu", c->lines, c->words, c->bytes);
  if (name != 0)
    printf(" %s", name);
  printf("\n");
}

int main(int argc, char *argv[]) {
  struct counts total = {0, 0, 0};
  if (argc < 2) {
    if (count(0, &total) < 0) {
      fprintf(2, "wc: read error\n");
      return 1;
    }
    show(&total, 0);
    return 0;
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    struct counts one = {0, 0, 0};
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "wc: cannot open %s\n", argv[i]);
      status = 1;
      continue;
    }
    if (count(fd, &one) < 0) {
      fprintf(2, "wc: read error in %s\n", argv[i]);
      status = 1;
    }
    close(fd);
    show(&one, argv[i]);
    total.lines += one.lines;
    total.words += one.words;
    total.bytes += one.bytes;
  }
  if (argc > 2)
    show(&total, "total");
  return status;
}
