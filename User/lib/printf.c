/* Formatted output to a file descriptor. The text is gathered in a small
   buffer and written in few write() calls, so that one printf usually
   reaches the console in one piece. */
#include <stdarg.h>
#include "user.h"

struct out {
  int fd;
  int used;
  char buf[128];
};

static void flush(struct out *o) {
  if (o->used > 0)
    write(o->fd, o->buf, o->used);
  o->used = 0;
}

static void put(struct out *o, char c) {
  if (o->used == (int)sizeof o->buf)
    flush(o);
  o->buf[o->used++] = c;
}

/* One unsigned number in base 10 or 16, right-aligned in `width` with `pad`. */
static void number(struct out *o, unsigned long v, int base, int negative, int width, char pad) {
  static const char digits[] = "0123456789abcdef";
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = digits[v % (unsigned)base];
    v /= (unsigned)base;
  } while (v != 0);
  int len = n + (negative ? 1 : 0);
  if (negative && pad == '0')
    put(o, '-');
  for (; len < width; len++)
    put(o, pad);
  if (negative && pad != '0')
    put(o, '-');
  while (n > 0)
    put(o, tmp[--n]);
}

static void format(int fd, const char *fmt, va_list ap) {
  struct out o;
  o.fd = fd;
  o.used = 0;
  for (; *fmt != '\0'; fmt++) {
    if (*fmt != '%') {
      put(&o, *fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, longs = 0;
    if (*fmt == '0') {
      pad = '0';
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9')
      width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') {
      longs++;
      fmt++;
    }
    switch (*fmt) {
    case 'd':
    case 'i': {
      long v = longs ? va_arg(ap, long) : va_arg(ap, int);
      unsigned long mag = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
      number(&o, mag, 10, v < 0, width, pad);
      break;
    }
    case 'u':
      number(&o, longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, 0, width, pad);
      break;
    case 'x':
      number(&o, longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, 0, width, pad);
      break;
    case 'p':
      put(&o, '0');
      put(&o, 'x');
      number(&o, (unsigned long)va_arg(ap, void *), 16, 0, 16, '0');
      break;
    case 'c':
      put(&o, (char)va_arg(ap, int));
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (s == 0)
        s = "(null)";
      int len = (int)strlen(s);
      for (; len < width; len++)
        put(&o, ' ');
      while (*s != '\0')
        put(&o, *s++);
      break;
    }
    case '%':
      put(&o, '%');
      break;
    case '\0':
      fmt--; /* a lone '%' at the end: print it and stop */
      put(&o, '%');
      break;
    default: /* unknown: show it as written */
      put(&o, '%');
      put(&o, *fmt);
      break;
    }
  }
  flush(&o);
}

void fprintf(int fd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  format(fd, fmt, ap);
  va_end(ap);
}

void printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  format(1, fmt, ap);
  va_end(ap);
}
