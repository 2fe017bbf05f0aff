/* Host test of the kernel's memory functions (Kernel/Runtime/libc.c),
   compiled here with their names prefixed by k_ (see Tools/bench.mk):
   every head alignment, tail length and overlap against byte-by-byte
   reference results. Built and run by `make kernel-libc-test`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *k_memset(void *, int, size_t);
void *k_memcpy(void *, const void *, size_t);
void *k_memmove(void *, const void *, size_t);
int k_memcmp(const void *, const void *, size_t);

#define SIZE 512
static unsigned char got[SIZE], want[SIZE], source[SIZE];
static int failures;

static void fill(unsigned char *buffer, unsigned seed) {
  for (int i = 0; i < SIZE; i++) buffer[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

static void expect(int ok, const char *what, int a, int b, int n) {
  if (!ok && failures++ < 10) printf("libc_test: %s wrong (offsets %d %d, %d bytes)\n", what, a, b, n);
}

int main(void) {
  int checks = 0;
  /* Up to 200 bytes: every tail after two and three turns of the
     eight-word loops. */
  for (int n = 0; n <= 200; n++) {
    for (int a = 0; a < 16; a++) {
      /* memset: only [a, a+n) changes, to the byte value. */
      fill(got, n);
      fill(want, n);
      for (int i = 0; i < n; i++) want[a + i] = 0xA5;
      expect(k_memset(got + a, 0x1A5, n) == got + a && memcmp(got, want, SIZE) == 0, "memset", a, 0, n);
      checks++;
      for (int b = 0; b < 16; b++) {
        /* memcpy between separate buffers. */
        fill(source, 7 + n);
        fill(got, n);
        fill(want, n);
        for (int i = 0; i < n; i++) want[a + i] = source[b + i];
        expect(k_memcpy(got + a, source + b, n) == got + a && memcmp(got, want, SIZE) == 0, "memcpy", a, b, n);
        /* memmove within one buffer, both directions, overlapping or not. */
        int from = 40 + b, to = 40 + a + (b % 2 ? 33 : -33) / 3;
        fill(got, n + 3);
        fill(want, n + 3);
        unsigned char copy[SIZE];
        memcpy(copy, want + from, n);
        for (int i = 0; i < n; i++) want[to + i] = copy[i];
        expect(k_memmove(got + to, got + from, n) == got + to && memcmp(got, want, SIZE) == 0, "memmove", to, from, n);
        to = from + a - 8;
        fill(got, n + 5);
        fill(want, n + 5);
        memcpy(copy, want + from, n);
        for (int i = 0; i < n; i++) want[to + i] = copy[i];
        expect(k_memmove(got + to, got + from, n) == got + to && memcmp(got, want, SIZE) == 0, "memmove", to, from, n);
        checks += 3;
      }
    }
  }
  /* A whole page, as fork and zeroFrame use them. */
  static unsigned long page[512], other[512];
  for (int i = 0; i < 512; i++) page[i] = 0x0123456789abcdefUL * (i + 1);
  k_memcpy(other, page, sizeof page);
  expect(memcmp(other, page, sizeof page) == 0, "memcpy of a page", 0, 0, 4096);
  k_memset(other, 0, sizeof other);
  for (int i = 0; i < 512; i++) expect(other[i] == 0, "memset of a page", i, 0, 4096);
  unsigned char x[4] = {1, 2, 3, 4}, y[4] = {1, 2, 3, 5};
  expect(k_memcmp(x, y, 4) < 0 && k_memcmp(y, x, 4) > 0 && k_memcmp(x, y, 3) == 0, "memcmp", 0, 0, 4);
  checks += 3;
  printf("kernel libc: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
