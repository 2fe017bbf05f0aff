/* fsbench: bench's file-system rows (User/Programs/bench/fs_ops.h), built
   against xv6's user library and system-call stubs, so that the same binary
   runs on xv6 and on Swiftlet (which runs xv6's programs). Neither kernel's
   counters are needed: the measurement counts instructions from outside,
   with the QEMU plugin insn-count.c, and this program only marks where each
   row's timed loop begins and ends (a hint instruction the plugin watches).

     fsbench            the rows, marked
     fsbench counters   also reads instret and Swiftlet's idlecount around
                        each loop (Swiftlet only: xv6 lets user mode read no
                        counter and has no such call), so that the plugin's
                        figures can be checked against the kernel's own

   Output, one line per row: "fsbench ROW NAME ITERATIONS ok|FAILED", with
   " instret=N idle=N" (totals over the loop) after "counters". */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "fs_ops.h"

/* Swiftlet's system-call numbers (its own list, the one source). */
enum {
#define SYSCALL(name, number) SWIFTLET_SYS_##name = number,
#include "syscalls.def"
#undef SYSCALL
};

static int with_counters;

/* slti zero, zero, N: a hint, no effect; the plugin reports its count at
   each one. Row r's loop begins at mark 2r+1 and ends at mark 2r+2. */
#define MARK(n) __asm__ volatile(".insn i 0x13, 2, zero, zero, %0" ::"i"(n) : "memory")

static uint64 read_instret(void) {
  uint64 value;
  __asm__ volatile("rdinstret %0" : "=r"(value)::"memory");
  return value;
}

static uint64 swiftlet_idlecount(void) {
  register uint64 a0 __asm__("a0");
  register uint64 a7 __asm__("a7") = SWIFTLET_SYS_idlecount;
  __asm__ volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
  return a0;
}

/* xv6's printf prints at most 32 bits per number. */
static void print_u64(uint64 value) {
  if (value >= 1000000000) {
    printf("%d", (int)(value / 1000000000));
    int low = (int)(value % 1000000000);
    for (int digits = 100000000; digits > 1 && low < digits; digits /= 10)
      printf("0");
    printf("%d", low);
  } else {
    printf("%d", (int)value);
  }
}

static int op_nothing(void) {
  return 0;
}

static int op_getpid(void) {
  return getpid() <= 0;
}

static int failures;

/* The marks must stay in the loop's order: one row at a time, never inlined
   into a caller that could move them. */
#define RUN(row, name, iterations, op)                                        \
  do {                                                                        \
    int (*volatile run_op)(void) = op;                                        \
    int bad = run_op();                                                       \
    uint64 idle0 = 0, instret0 = 0;                                           \
    if (with_counters) {                                                      \
      idle0 = swiftlet_idlecount();                                           \
      instret0 = read_instret();                                              \
    }                                                                         \
    MARK(2 * (row) + 1);                                                      \
    for (int i = 0; i < (iterations); i++)                                    \
      bad |= run_op();                                                        \
    MARK(2 * (row) + 2);                                                      \
    uint64 instret1 = 0, idle1 = 0;                                           \
    if (with_counters) {                                                      \
      instret1 = read_instret();                                              \
      idle1 = swiftlet_idlecount();                                           \
    }                                                                         \
    printf("fsbench %d %s %d %s", (row), (name), (iterations), bad ? "FAILED" : "ok"); \
    if (with_counters) {                                                      \
      printf(" instret=");                                                    \
      print_u64(instret1 - instret0);                                         \
      printf(" idle=");                                                       \
      print_u64(idle1 - idle0);                                               \
    }                                                                         \
    printf("\n");                                                             \
    failures += bad != 0;                                                     \
  } while (0)

int main(int argc, char *argv[]) {
  with_counters = argc > 1 && strcmp(argv[1], "counters") == 0;
  RUN(0, "call", 100000, op_nothing);
  RUN(1, "getpid", 20000, op_getpid);
  RUN(2, "create", 200, op_create);
  RUN(3, "write1m", 5, op_write_1m);
  RUN(4, "read1m", 5, op_read_1m);
  if (make_ls_directory() < 0) {
    printf("fsbench: cannot make bench.d\n");
    failures++;
  } else {
    RUN(5, "ls100", 50, op_ls_100);
  }
  if (remove_bench_files() < 0) {
    printf("fsbench: cannot remove the benchmark files\n");
    failures++;
  }
  printf("fsbench: %d failures\n", failures);
  exit(failures == 0 ? 0 : 1);
}
