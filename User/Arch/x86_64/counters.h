/* bench's counters on x86-64: the time-stamp counter (rdtsc; user mode may
   read it while CR4.TSD is clear). There is no instruction counter user
   mode can read without a PMU, but under QEMU's -icount the TSC follows the
   virtual clock, which counts executed instructions. This header and its
   riscv64 twin are the only places bench learns the architecture. */
#ifndef SWIFTLET_COUNTERS_H
#define SWIFTLET_COUNTERS_H
#include "types.h"

#define BENCH_COUNTERS 1
static const char *const bench_counter_names[BENCH_COUNTERS] = {"tsc"};

static inline void bench_read_counters(uint64 value[BENCH_COUNTERS]) {
  uint32 low, high;
  __asm__ volatile("rdtsc" : "=a"(low), "=d"(high)::"memory");
  value[0] = ((uint64)high << 32) | low;
}
#endif
