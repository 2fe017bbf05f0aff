/* grep: prints the lines of each file (or of standard input) that match a
   small regular expression. The pattern is compiled into at most 62 nodes
   (a character class each, possibly starred) and run as a set of states,
   one bit per node, advanced one input byte at a time: no backtracking, so
   time is linear in the line and the stack stays small. */
#include "user.h"

#define MAX_NODES 62
#define LINE_CAPACITY 1024

static const char usage[] =
    "usage: grep [-cnv] PATTERN [FILE...]\n"
    "  PATTERN is a small regular expression: c a character, . any character,\n"
    "  [abc] [a-z] [^abc] a class, X* zero or more of X, ^ at the start of the\n"
    "  line, $ at its end, \\c the character c itself. -c counts the lines,\n"
    "  -n numbers them, -v selects the lines that do not match.\n";

/* A node matches one byte out of its set; a starred node any number of them. */
struct node {
  unsigned char set[32];
  int starred;
};

static struct node nodes[MAX_NODES];
static int node_count;
static int anchored_start, anchored_end;

static void add_byte(struct node *n, unsigned char c) { n->set[c >> 3] |= (unsigned char)(1u << (c & 7)); }
static int has_byte(const struct node *n, unsigned char c) { return (n->set[c >> 3] >> (c & 7)) & 1; }

/* Reads a class after '[' at *p; leaves *p after ']'. 0 if unterminated. */
static int compile_class(const char **p, struct node *n) {
  const char *s = *p;
  int negated = *s == '^';
  if (negated)
    s++;
  int first = 1;
  while (*s != '\0' && (*s != ']' || first)) {
    unsigned char low = (unsigned char)*s++;
    unsigned char high = low;
    if (*s == '-' && s[1] != ']' && s[1] != '\0') {
      high = (unsigned char)s[1];
      s += 2;
    }
    for (int c = low; c <= high; c++)
      add_byte(n, (unsigned char)c);
    first = 0;
  }
  if (*s != ']')
    return 0;
  if (negated) {
    for (int i = 0; i < 32; i++)
      n->set[i] = (unsigned char)~n->set[i];
  }
  *p = s + 1;
  return 1;
}

/* Fills nodes[] from the pattern; 0 with a message if it is malformed. */
static int compile(const char *p) {
  if (*p == '^') {
    anchored_start = 1;
    p++;
  }
  while (*p != '\0') {
    if (*p == '$' && p[1] == '\0') {
      anchored_end = 1;
      break;
    }
    if (*p == '*') {
      fprintf(2, "grep: '*' with nothing before it\n");
      return 0;
    }
    if (node_count == MAX_NODES) {
      fprintf(2, "grep: pattern too long (at most %d items)\n", MAX_NODES);
      return 0;
    }
    struct node *n = &nodes[node_count++];
    memset(n, 0, sizeof *n);
    if (*p == '.') {
      memset(n->set, 0xff, sizeof n->set);
      p++;
    } else if (*p == '[') {
      p++;
      if (!compile_class(&p, n)) {
        fprintf(2, "grep: unterminated [ in the pattern\n");
        return 0;
      }
    } else {
      if (*p == '\\' && p[1] != '\0')
        p++;
      add_byte(n, (unsigned char)*p++);
    }
    if (*p == '*') {
      n->starred = 1;
      p++;
    }
  }
  return 1;
}

/* Adds the states reachable without input: past each starred node. */
static uint64 skip_starred(uint64 states) {
  for (int i = 0; i < node_count; i++) {
    if ((states >> i) & 1 && nodes[i].starred)
      states |= 1ull << (i + 1);
  }
  return states;
}

/* Bit i of a state set: "node i is next"; bit node_count: "matched". */
static int matches(const char *line, int length) {
  uint64 accept = 1ull << node_count;
  uint64 states = skip_starred(1);
  for (int k = 0; k < length; k++) {
    if ((states & accept) && !anchored_end)
      return 1;
    unsigned char c = (unsigned char)line[k];
    uint64 next = 0;
    for (int i = 0; i < node_count; i++) {
      if ((states >> i) & 1 && has_byte(&nodes[i], c))
        next |= nodes[i].starred ? 1ull << i : 1ull << (i + 1);
    }
    if (!anchored_start)
      next |= 1;  /* a match may also start at the next byte */
    states = skip_starred(next);
  }
  return (states & accept) != 0;
}

static int invert, count_only, numbered, show_names;
static long selected;
static char chunk[512];
static char line[LINE_CAPACITY];

static void consider(const char *name, const char *text, int length, long number) {
  if (matches(text, length) == invert)
    return;
  selected++;
  if (count_only)
    return;
  if (show_names)
    printf("%s:", name);
  if (numbered)
    printf("%ld:", number);
  write(1, text, length);
  write(1, "\n", 1);
}

/* Reads fd line by line; a line longer than LINE_CAPACITY is judged by its start. */
static int search(int fd, const char *name) {
  long before = selected, number = 0;
  int length = 0, n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) {
    for (int i = 0; i < n; i++) {
      if (chunk[i] == '\n') {
        consider(name, line, length, ++number);
        length = 0;
      } else if (length < LINE_CAPACITY) {
        line[length++] = chunk[i];
      }
    }
  }
  if (length > 0)
    consider(name, line, length, ++number);
  if (count_only) {
    if (show_names)
      printf("%s:", name);
    printf("%ld\n", selected - before);
  }
  return n < 0 ? -1 : 0;
}

int main(int argc, char *argv[]) {
  int first = 1;
  while (first < argc && argv[first][0] == '-' && argv[first][1] != '\0') {
    for (const char *o = argv[first] + 1; *o != '\0'; o++) {
      if (*o == 'v') {
        invert = 1;
      } else if (*o == 'c') {
        count_only = 1;
      } else if (*o == 'n') {
        numbered = 1;
      } else {
        fprintf(2, "grep: unknown option -%c\n%s", *o, usage);
        return 2;
      }
    }
    first++;
  }
  if (first >= argc) {
    fprintf(2, "%s", usage);
    return 2;
  }
  if (!compile(argv[first++]))
    return 2;
  if (first == argc)
    return search(0, "(standard input)") < 0 ? 2 : selected > 0 ? 0 : 1;
  show_names = argc - first > 1;
  int trouble = 0;
  for (; first < argc; first++) {
    int fd = open(argv[first], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "grep: cannot open %s\n", argv[first]);
      trouble = 1;
      continue;
    }
    if (search(fd, argv[first]) < 0) {
      fprintf(2, "grep: read error in %s\n", argv[first]);
      trouble = 1;
    }
    close(fd);
  }
  return trouble ? 2 : selected > 0 ? 0 : 1;
}
