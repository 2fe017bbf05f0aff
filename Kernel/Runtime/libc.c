// The four memory functions every Embedded Swift image must provide: the
// compiler emits calls to them for copies, zeroing and comparisons of large
// values. They are C, not Swift, because Swift code that copies or zeroes
// memory is itself lowered to these very calls, so a Swift memcpy would call
// itself. Built with -fno-builtin for the same reason in C: clang would
// otherwise turn these loops back into calls to memset and memcpy.
// Byte loops keep them obviously correct; they are not on any hot path yet.

#include <stddef.h>

void *memset(void *dest, int value, size_t count) {
    unsigned char *d = dest;
    while (count--) *d++ = (unsigned char)value;
    return dest;
}

void *memcpy(void *restrict dest, const void *restrict src, size_t count) {
    unsigned char *d = dest;
    const unsigned char *s = src;
    while (count--) *d++ = *s++;
    return dest;
}

void *memmove(void *dest, const void *src, size_t count) {
    unsigned char *d = dest;
    const unsigned char *s = src;
    if (d < s) {
        while (count--) *d++ = *s++;
    } else {
        d += count;
        s += count;
        while (count--) *--d = *--s;
    }
    return dest;
}

int memcmp(const void *left, const void *right, size_t count) {
    const unsigned char *l = left, *r = right;
    for (; count; count--, l++, r++) {
        if (*l != *r) return *l < *r ? -1 : 1;
    }
    return 0;
}
