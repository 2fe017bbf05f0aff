/* bench's counters on RISC-V: rdinstret, rdcycle and rdtime (the kernel
   lets user mode read all three through mcounteren and scounteren). Under
   QEMU's -icount, instret and cycle both read QEMU's instruction count and
   time is the virtual clock, 10 MHz on the virt machine. This header and
   its x86_64 twin are the only places bench learns the architecture. */
#ifndef SWIFTLET_COUNTERS_H
#define SWIFTLET_COUNTERS_H
#include "types.h"

#define BENCH_COUNTERS 3
static const char *const bench_counter_names[BENCH_COUNTERS] = {"instret", "cycle", "time"};

static inline void bench_read_counters(uint64 value[BENCH_COUNTERS]) {
  uint64 instret, cycle, time;
  __asm__ volatile("rdinstret %0" : "=r"(instret)::"memory");
  __asm__ volatile("rdcycle %0" : "=r"(cycle)::"memory");
  __asm__ volatile("rdtime %0" : "=r"(time)::"memory");
  value[0] = instret;
  value[1] = cycle;
  value[2] = time;
}
#endif
