// The four memory functions every Embedded Swift image must provide: the
// compiler emits calls to them for copies, zeroing and comparisons of large
// values. They are C, not Swift, because Swift code that copies or zeroes
// memory is itself lowered to these very calls, so a Swift memcpy would call
// itself. Built with -fno-builtin for the same reason in C: clang would
// otherwise turn these loops back into calls to memset and memcpy.
//
// They are on hot paths: fork copies every user page, and every new page
// or page table is zeroed (make bench). So memset, memcpy and memmove move
// eight bytes at a time whenever both ends can be aligned to eight bytes,
// eight words per loop turn (the loop's own three or four instructions are
// then a sixth of the work, not a third); odd heads and tails go byte by
// byte.

#include <stddef.h>
#include <stdint.h>

typedef uint64_t word;
#define WORD sizeof(word)
#define MISALIGNMENT(p) ((uintptr_t)(p) & (WORD - 1))

void *memset(void *dest, int value, size_t count) {
    unsigned char *d = dest;
    while (count > 0 && MISALIGNMENT(d) != 0) {
        *d++ = (unsigned char)value;
        count--;
    }
    word pattern = (unsigned char)value;
    pattern |= pattern << 8;
    pattern |= pattern << 16;
    pattern |= pattern << 32;
    word *w = (word *)d;
    for (; count >= 8 * WORD; count -= 8 * WORD, w += 8) {
        w[0] = pattern;
        w[1] = pattern;
        w[2] = pattern;
        w[3] = pattern;
        w[4] = pattern;
        w[5] = pattern;
        w[6] = pattern;
        w[7] = pattern;
    }
    for (; count >= WORD; count -= WORD) *w++ = pattern;
    d = (unsigned char *)w;
    while (count--) *d++ = (unsigned char)value;
    return dest;
}

// Copies upwards; safe unless dest lies inside the source.
static void copy_up(unsigned char *d, const unsigned char *s, size_t count) {
    if (MISALIGNMENT(d) == MISALIGNMENT(s)) {
        while (count > 0 && MISALIGNMENT(d) != 0) {
            *d++ = *s++;
            count--;
        }
        word *wd = (word *)d;
        const word *ws = (const word *)s;
        for (; count >= 8 * WORD; count -= 8 * WORD, wd += 8, ws += 8) {
            word w0 = ws[0], w1 = ws[1], w2 = ws[2], w3 = ws[3];
            word w4 = ws[4], w5 = ws[5], w6 = ws[6], w7 = ws[7];
            wd[0] = w0;
            wd[1] = w1;
            wd[2] = w2;
            wd[3] = w3;
            wd[4] = w4;
            wd[5] = w5;
            wd[6] = w6;
            wd[7] = w7;
        }
        for (; count >= WORD; count -= WORD) *wd++ = *ws++;
        d = (unsigned char *)wd;
        s = (const unsigned char *)ws;
    }
    while (count--) *d++ = *s++;
}

// Copies downwards, from the end; safe when dest is above src.
static void copy_down(unsigned char *d, const unsigned char *s, size_t count) {
    d += count;
    s += count;
    if (MISALIGNMENT(d) == MISALIGNMENT(s)) {
        while (count > 0 && MISALIGNMENT(d) != 0) {
            *--d = *--s;
            count--;
        }
        word *wd = (word *)d;
        const word *ws = (const word *)s;
        for (; count >= WORD; count -= WORD) *--wd = *--ws;
        d = (unsigned char *)wd;
        s = (const unsigned char *)ws;
    }
    while (count--) *--d = *--s;
}

void *memcpy(void *restrict dest, const void *restrict src, size_t count) {
    copy_up(dest, src, count);
    return dest;
}

void *memmove(void *dest, const void *src, size_t count) {
    unsigned char *d = dest;
    const unsigned char *s = src;
    // Only a destination inside the source must be copied from the end.
    if (d > s && d < s + count) {
        copy_down(d, s, count);
    } else if (d != s) {
        copy_up(d, s, count);
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
