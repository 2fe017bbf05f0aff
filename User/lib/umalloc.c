/* malloc and free over sbrk. Every block starts with a 16-byte header that
   holds its whole size (header included, a multiple of 16). Free blocks
   form a list sorted by address, so that free() can merge a block with its
   neighbours; malloc() takes the first block that fits, splits off the
   rest, and grows the heap with sbrk when nothing fits. */
#include "user.h"

#define ALIGN 16
#define MIN_GROW (16 * 1024) /* sbrk at least this much at a time */

struct block {
  size_t size;        /* bytes, header included */
  struct block *next; /* next free block by address (free blocks only) */
};

static struct block *free_list;

static size_t round_up(size_t n) { return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

/* Puts `b` back in the list, merging with the blocks right before and after it. */
static void insert_free(struct block *b) {
  struct block *prev = 0, *cur = free_list;
  while (cur != 0 && cur < b) {
    prev = cur;
    cur = cur->next;
  }
  if (cur != 0 && (char *)b + b->size == (char *)cur) {
    b->size += cur->size;
    b->next = cur->next;
  } else {
    b->next = cur;
  }
  if (prev != 0 && (char *)prev + prev->size == (char *)b) {
    prev->size += b->size;
    prev->next = b->next;
  } else if (prev != 0) {
    prev->next = b;
  } else {
    free_list = b;
  }
}

static int grow(size_t need) {
  size_t n = round_up(need < MIN_GROW ? MIN_GROW : need);
  /* The first break may be unaligned (the end of bss): ask for the padding
     too, so that the block ends exactly at the new break and the next
     growth lands right after it (and merges with it when free). */
  char *now = sbrk(0);
  if (now == (char *)-1)
    return -1;
  size_t skip = round_up((size_t)now) - (size_t)now;
  if (n + skip > 0x7fffffffUL)
    return -1;
  char *p = sbrk((int)(n + skip));
  if (p == (char *)-1)
    return -1;
  struct block *b = (struct block *)(p + skip);
  b->size = n;
  insert_free(b);
  return 0;
}

void *malloc(size_t bytes) {
  if (bytes == 0 || bytes > 0x7fff0000UL)
    return 0;
  size_t need = round_up(bytes) + sizeof(struct block);
  for (int attempt = 0; attempt < 2; attempt++) {
    struct block *prev = 0;
    for (struct block *b = free_list; b != 0; prev = b, b = b->next) {
      if (b->size < need)
        continue;
      if (b->size - need >= 2 * sizeof(struct block)) {
        /* Split: the front becomes the allocation, the rest stays free. */
        struct block *rest = (struct block *)((char *)b + need);
        rest->size = b->size - need;
        rest->next = b->next;
        b->size = need;
        if (prev != 0)
          prev->next = rest;
        else
          free_list = rest;
      } else if (prev != 0) {
        prev->next = b->next;
      } else {
        free_list = b->next;
      }
      b->next = 0;
      return (char *)b + sizeof(struct block);
    }
    if (grow(need + ALIGN) < 0)
      return 0;
  }
  return 0;
}

void free(void *p) {
  if (p == 0)
    return;
  insert_free((struct block *)((char *)p - sizeof(struct block)));
}

/* The same, under names the Swift runtime may call (Swift reserves "malloc"
   and "free" for itself). */
void *heap_allocate(size_t bytes) { return malloc(bytes); }
void heap_free(void *p) { free(p); }
