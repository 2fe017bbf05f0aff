/* Swiftlet's small C library: strings, memory, and the helpers xv6-style
   programs expect. It is C because the compiler itself emits calls to
   memset/memcpy/memmove/memcmp (from Swift and C alike); the file is built
   with -fno-builtin so these loops are not turned back into calls to
   themselves. */
#include "user.h"

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n-- > 0)
    *d++ = (unsigned char)c;
  return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n-- > 0)
    *d++ = *s++;
  return dst;
}

/* Copies through overlapping ranges: backwards when the destination is above. */
void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d == s || n == 0)
    return dst;
  if (d < s || d >= s + n) {
    while (n-- > 0)
      *d++ = *s++;
  } else {
    d += n;
    s += n;
    while (n-- > 0)
      *--d = *--s;
  }
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  for (; n > 0; n--, p++, q++) {
    if (*p != *q)
      return (int)*p - (int)*q;
  }
  return 0;
}

uint strlen(const char *s) {
  uint n = 0;
  while (s[n] != '\0')
    n++;
  return n;
}

char *strcpy(char *dst, const char *src) {
  char *d = dst;
  while ((*d++ = *src++) != '\0')
    ;
  return dst;
}

int strcmp(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) {
    a++;
    b++;
  }
  return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

char *strchr(const char *s, char c) {
  for (; *s != '\0'; s++) {
    if (*s == c)
      return (char *)s;
  }
  return 0;
}

/* Reads one line (up to max-1 bytes, keeping the newline) from standard input. */
char *gets(char *buf, int max) {
  int n = 0;
  while (n + 1 < max) {
    char c;
    if (read(0, &c, 1) < 1)
      break;
    buf[n++] = c;
    if (c == '\n' || c == '\r')
      break;
  }
  buf[n] = '\0';
  return buf;
}

/* Decimal with an optional sign; stops at the first non-digit. */
int atoi(const char *s) {
  int sign = 1, value = 0;
  if (*s == '-') {
    sign = -1;
    s++;
  }
  while (*s >= '0' && *s <= '9')
    value = value * 10 + (*s++ - '0');
  return sign * value;
}

int stat(const char *path, struct stat *st) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  int r = fstat(fd, st);
  close(fd);
  return r;
}
