/* Host test of the user C library (User/lib): strings and memory against
   the host's libc, printf's formats, gets, stat, and malloc/free under a
   random workload. Built and run by `make user-host-test`. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stat_u {
  int dev;
  unsigned ino;
  short type;
  short nlink;
  unsigned long size;
};

void *u_memset(void *, int, size_t);
void *u_memcpy(void *, const void *, size_t);
void *u_memmove(void *, const void *, size_t);
int u_memcmp(const void *, const void *, size_t);
unsigned u_strlen(const char *);
char *u_strcpy(char *, const char *);
int u_strcmp(const char *, const char *);
char *u_strchr(const char *, char);
char *u_gets(char *, int);
int u_atoi(const char *);
int u_stat(const char *, struct stat_u *);
void u_printf(const char *, ...);
void u_fprintf(int, const char *, ...);
void *u_malloc(size_t);
void u_free(void *);
void stub_set_input(const char *);
char *stub_arena(void);
extern char stub_output[];
extern int stub_output_length;
extern int stub_write_calls;
extern long stub_sbrk_calls;

static int checks, failures;

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    checks++;                                                                                      \
    if (!(cond)) {                                                                                 \
      failures++;                                                                                  \
      printf("FAIL line %d: ", __LINE__);                                                          \
      printf(__VA_ARGS__);                                                                         \
      printf("\n");                                                                                \
    }                                                                                              \
  } while (0)

static void reset_output(void) {
  stub_output_length = 0;
  stub_output[0] = 0;
  stub_write_calls = 0;
}

#define EXPECT_PRINTF(wanted, ...)                                                                 \
  do {                                                                                             \
    reset_output();                                                                                \
    u_printf(__VA_ARGS__);                                                                         \
    CHECK(strcmp(stub_output, wanted) == 0, "printf gave \"%s\", wanted \"%s\"", stub_output,     \
          wanted);                                                                                 \
  } while (0)

static unsigned long rng = 12345;
static unsigned long next(void) {
  rng = rng * 6364136223846793005UL + 1442695040888963407UL;
  return rng >> 33;
}

static void test_memory(void) {
  unsigned char a[300], b[300], ref[300];
  for (int round = 0; round < 2000; round++) {
    for (int i = 0; i < 300; i++)
      a[i] = (unsigned char)next();
    memcpy(ref, a, sizeof a);
    int n = (int)(next() % 100), from = (int)(next() % 200), to = (int)(next() % 200);
    u_memmove(a + to, a + from, (size_t)n);
    memmove(ref + to, ref + from, (size_t)n);
    CHECK(memcmp(a, ref, sizeof a) == 0, "memmove(%d <- %d, %d)", to, from, n);
    u_memcpy(b, a, (size_t)n);
    CHECK(memcmp(b, a, (size_t)n) == 0, "memcpy %d", n);
    int c = (int)(next() & 0xff);
    u_memset(b, c, (size_t)n);
    memset(ref, c, (size_t)n);
    CHECK(memcmp(b, ref, (size_t)n) == 0, "memset %d", n);
  }
  CHECK(u_memcmp("abc", "abd", 3) < 0 && u_memcmp("abd", "abc", 3) > 0, "memcmp order");
  CHECK(u_memcmp("ab\xff", "ab\x01", 3) > 0, "memcmp compares unsigned bytes");
  CHECK(u_memcmp("abc", "abd", 2) == 0 && u_memcmp("x", "y", 0) == 0, "memcmp equal prefixes");
}

static void test_strings(void) {
  char buf[64];
  CHECK(u_strlen("") == 0 && u_strlen("hello") == 5, "strlen");
  CHECK(u_strcpy(buf, "copy me") == buf && strcmp(buf, "copy me") == 0, "strcpy");
  CHECK(u_strcmp("a", "a") == 0 && u_strcmp("a", "b") < 0 && u_strcmp("b", "a") > 0, "strcmp");
  CHECK(u_strcmp("ab", "a") > 0 && u_strcmp("a", "ab") < 0, "strcmp on prefixes");
  CHECK(u_strcmp("\xff", "a") > 0, "strcmp compares unsigned bytes");
  const char *h = "hello";
  CHECK(u_strchr(h, 'l') == h + 2 && u_strchr(h, 'z') == 0, "strchr finds the first");
  CHECK(u_atoi("0") == 0 && u_atoi("42") == 42 && u_atoi("-17") == -17 && u_atoi("12ab") == 12, "atoi");
}

static void test_printf(void) {
  EXPECT_PRINTF("plain", "plain");
  EXPECT_PRINTF("42 -7 0", "%d %d %d", 42, -7, 0);
  EXPECT_PRINTF("-2147483648 2147483647", "%d %i", INT_MIN, INT_MAX);
  EXPECT_PRINTF("4294967295", "%u", 4294967295u);
  EXPECT_PRINTF("ff 0 deadbeef", "%x %x %x", 255, 0, 0xdeadbeefu);
  EXPECT_PRINTF("-9223372036854775808", "%ld", LONG_MIN);
  EXPECT_PRINTF("ffffffffffffffff", "%lx", ~0UL);
  EXPECT_PRINTF("18446744073709551615", "%lu", ~0UL);
  EXPECT_PRINTF("00000000cafe0000", "%016lx", 0xcafe0000UL);
  EXPECT_PRINTF("[   42] [00042] [-0042] [  -42]", "[%5d] [%05d] [%05d] [%5d]", 42, 42, -42, -42);
  EXPECT_PRINTF("0x0000000000001000", "%p", (void *)0x1000);
  EXPECT_PRINTF("a hello z", "%c %s %c", 'a', "hello", 'z');
  EXPECT_PRINTF("[   ab]", "[%5s]", "ab");
  EXPECT_PRINTF("(null)", "%s", (char *)0);
  EXPECT_PRINTF("100%", "100%%");
  EXPECT_PRINTF("end%", "end%");
  EXPECT_PRINTF("%q", "%q");
  /* Longer than printf's buffer: all of it arrives, in few writes. */
  char big[1000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  reset_output();
  u_printf("<%s>", big);
  CHECK(stub_output_length == 1001 && stub_output[0] == '<' && stub_output[1000] == '>',
        "long printf (%d bytes)", stub_output_length);
  CHECK(stub_write_calls <= 8, "long printf in few writes (%d)", stub_write_calls);
  reset_output();
  u_fprintf(2, "fd %d", 2);
  CHECK(strcmp(stub_output, "fd 2") == 0, "fprintf");
}

static void test_gets_stat(void) {
  char buf[16];
  stub_set_input("abc\ndef");
  CHECK(strcmp(u_gets(buf, sizeof buf), "abc\n") == 0, "gets first line: %s", buf);
  CHECK(strcmp(u_gets(buf, sizeof buf), "def") == 0, "gets last line: %s", buf);
  CHECK(strcmp(u_gets(buf, sizeof buf), "") == 0, "gets at end of input");
  stub_set_input("0123456789abcdefXYZ\n");
  CHECK(strcmp(u_gets(buf, 8), "0123456") == 0, "gets stops at max-1: %s", buf);
  struct stat_u st;
  CHECK(u_stat("file", &st) == 0 && st.size == 1234 && st.type == 2 && st.ino == 7, "stat");
  CHECK(u_stat("nofile", &st) == -1, "stat of a missing file");
}

#define SLOTS 200
static void test_malloc(void) {
  static unsigned char *ptr[SLOTS];
  static size_t size[SLOTS];
  CHECK(u_malloc(0) == 0, "malloc(0)");
  CHECK(u_malloc(1UL << 40) == 0, "malloc(huge)");
  for (int round = 0; round < 200000; round++) {
    int i = (int)(next() % SLOTS);
    if (ptr[i] != 0) {
      for (size_t k = 0; k < size[i]; k++) {
        if (ptr[i][k] != (unsigned char)(i + k)) {
          CHECK(0, "block %d corrupted at byte %zu", i, k);
          return;
        }
      }
      u_free(ptr[i]);
      ptr[i] = 0;
    } else {
      size[i] = (next() % 4 == 0) ? next() % 5000 + 1 : next() % 100 + 1;
      ptr[i] = u_malloc(size[i]);
      CHECK(ptr[i] != 0, "malloc(%zu) failed in round %d", size[i], round);
      if (ptr[i] == 0)
        return;
      CHECK(((unsigned long)ptr[i] & 15) == 0, "malloc result aligned to 16");
      char *arena = stub_arena();
      CHECK((char *)ptr[i] >= arena && (char *)ptr[i] + size[i] <= arena + (4 << 20) + 8,
            "block inside the heap");
      for (size_t k = 0; k < size[i]; k++)
        ptr[i][k] = (unsigned char)(i + k);
    }
  }
  for (int i = 0; i < SLOTS; i++) {
    u_free(ptr[i]);
    ptr[i] = 0;
  }
  u_free(0);
  /* Everything is free and merged: one big block fits without growing the heap. */
  long calls = stub_sbrk_calls;
  void *p = u_malloc(100000);
  CHECK(p != 0 && stub_sbrk_calls == calls, "freed blocks merge (sbrk calls %ld -> %ld)", calls,
        stub_sbrk_calls);
  u_free(p);
  /* Growth fails cleanly when sbrk does. */
  CHECK(u_malloc(8 << 20) == 0, "malloc beyond the arena returns 0");
  void *q = u_malloc(64);
  CHECK(q != 0, "malloc still works after a failed growth");
  u_free(q);
}

int main(void) {
  test_memory();
  test_strings();
  test_printf();
  test_gets_stat();
  test_malloc();
  printf("ulib: %d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
