/* bench: times the kernel's basic operations with the CPU's own counters
   (counters.h, one per architecture). Each benchmark runs its operation
   once to warm up, then ITERATIONS times between two counter reads, and
   prints one line:

     bench NAME ITERATIONS COUNTER=PER-OP ...

   with each counter's increase per operation, to two decimals. Every
   operation checks its own result; bench exits 1 if any went wrong or if
   the run leaked frames or kernel heap, 0 otherwise. It uses only xv6's
   calls and user.h, except freeframes() and kheap() for the leak check and
   idlecount() for the time the CPU waited for the disk. */
#include "user.h"
#include "counters.h"

#define PAGE 4096

static int mypid;
static char *fault_address;
static int to_echo[2], from_echo[2];
static char *true_argv[] = {"true", 0};
static int failures;

/* Nothing: the loop and the call through a pointer, the other rows' overhead. */
static int op_call(void) {
  return 0;
}

/* The null system call. */
static int op_getpid(void) {
  return getpid() == mypid ? 0 : 1;
}

/* Grow the heap by a page, write to it, give it back. */
static int op_sbrk(void) {
  char *p = sbrk(PAGE);
  if (p == (char *)-1)
    return 1;
  ((volatile char *)p)[0] = 1;
  ((volatile char *)p)[PAGE - 1] = 1;
  return sbrk(-PAGE) == p + PAGE ? 0 : 1;
}

/* A child that exits at once, and its reaping. */
static int op_fork(void) {
  int pid = fork();
  if (pid < 0)
    return 1;
  if (pid == 0)
    exit(0);
  int status = -1;
  return wait(&status) == pid && status == 0 ? 0 : 1;
}

/* A child that runs another program (true), and its reaping. */
static int op_exec(void) {
  int pid = fork();
  if (pid < 0)
    return 1;
  if (pid == 0) {
    exec("true", true_argv);
    exit(1);
  }
  int status = -1;
  return wait(&status) == pid && status == 0 ? 0 : 1;
}

/* One byte to the echo process and back. */
static int op_pipe(void) {
  char c = 'x';
  if (write(to_echo[1], &c, 1) != 1)
    return 1;
  c = 0;
  return read(from_echo[0], &c, 1) == 1 && c == 'x' ? 0 : 1;
}

/* A child that reads an unmapped address: the kernel reports the fault,
   kills the child, and its parent reaps it with status -1. */
static int op_fault(void) {
  int pid = fork();
  if (pid < 0)
    return 1;
  if (pid == 0) {
    (void)*(volatile char *)fault_address;
    exit(0);
  }
  int status = 0;
  return wait(&status) == pid && status == -1 ? 0 : 1;
}

/* ---- the file system ---- */
#include "fs_ops.h"

/* The pipe benchmark's partner: sends back every byte until end of input. */
static void echo_loop(void) {
  char c;
  close(to_echo[1]);
  close(from_echo[0]);
  while (read(to_echo[0], &c, 1) == 1)
    if (write(from_echo[1], &c, 1) != 1)
      exit(1);
  exit(0);
}

/* Not inlined: the operation stays an indirect call in every row, so the
   compiler cannot fold the empty one away. */
__attribute__((noinline)) static void run(const char *name, int iterations, int (*op)(void)) {
  uint64 start[BENCH_COUNTERS], end[BENCH_COUNTERS];
  int bad = op();
  uint64 idle_start = (uint64)idlecount();
  bench_read_counters(start);
  for (int i = 0; i < iterations; i++)
    bad |= op();
  bench_read_counters(end);
  uint64 idle = (uint64)idlecount() - idle_start;
  if (bad) {
    fprintf(2, "bench: %s: an operation went wrong\n", name);
    failures++;
  }
  printf("bench %s %d", name, iterations);
  for (int c = 0; c < BENCH_COUNTERS; c++) {
    uint64 hundredths = (end[c] - start[c]) * 100 / (uint64)iterations;
    printf(" %s=%lu.%02lu", bench_counter_names[c], hundredths / 100, hundredths % 100);
  }
  /* Waiting for the disk, the CPU idles, and under -icount its clock jumps
     ahead: `idle` is that part of the first counter, `busy` the rest (what
     was executed). */
  uint64 idle_hundredths = idle * 100 / (uint64)iterations;
  uint64 busy_hundredths = (end[0] - start[0] - idle) * 100 / (uint64)iterations;
  printf(" idle=%lu.%02lu busy=%lu.%02lu\n", idle_hundredths / 100, idle_hundredths % 100, busy_hundredths / 100,
         busy_hundredths % 100);
}

int main(void) {
  mypid = getpid();
  /* A page-aligned break, so that op_sbrk's page is exactly one page. */
  uint64 brk = (uint64)sbrk(0);
  if (brk % PAGE != 0)
    sbrk(PAGE - brk % PAGE);
  /* Well above the break: never mapped while bench runs. */
  fault_address = (char *)(((uint64)sbrk(0) + 16 * PAGE) & ~(uint64)(PAGE - 1));

  long frames = freeframes();
  long heap = kheap();
  printf("bench start: %d free frames, %d kernel heap bytes\n", (int)frames, (int)heap);

  run("call", 100000, op_call);
  run("getpid", 20000, op_getpid);
  run("sbrk", 5000, op_sbrk);
  run("fork", 500, op_fork);
  run("exec", 200, op_exec);
  /* The fork row again, with 1 MiB of heap the parent has touched (shared
     with the child, not copied), given back afterwards. */
  char *heap_mib = sbrk(256 * PAGE);
  if (heap_mib == (char *)-1) {
    fprintf(2, "bench: sbrk of 1 MiB failed\n");
    return 1;
  }
  for (int page = 0; page < 256; page++)
    heap_mib[page * PAGE] = 1;
  run("forkheap", 200, op_fork);
  sbrk(-256 * PAGE);

  if (pipe(to_echo) < 0 || pipe(from_echo) < 0) {
    fprintf(2, "bench: pipe failed\n");
    return 1;
  }
  int echo = fork();
  if (echo == 0)
    echo_loop();
  close(to_echo[0]);
  close(from_echo[1]);
  if (echo < 0) {
    fprintf(2, "bench: fork failed\n");
    failures++;
  } else {
    run("pipe", 5000, op_pipe);
  }
  close(to_echo[1]);
  int status = -1;
  if (echo > 0 && (wait(&status) != echo || status != 0)) {
    fprintf(2, "bench: the echo process did not end well\n");
    failures++;
  }
  close(from_echo[0]);

  run("fault", 20, op_fault);

  run("create", 200, op_create);
  run("write1m", 5, op_write_1m);
  run("read1m", 5, op_read_1m);
  if (make_ls_directory() < 0) {
    fprintf(2, "bench: cannot make bench.d\n");
    failures++;
  } else {
    run("ls100", 50, op_ls_100);
  }
  if (remove_bench_files() < 0) {
    fprintf(2, "bench: cannot remove the benchmark files\n");
    failures++;
  }

  long frames_after = freeframes();
  long heap_after = kheap();
  printf("bench end: %d free frames, %d kernel heap bytes\n", (int)frames_after, (int)heap_after);
  if (frames_after != frames || heap_after != heap) {
    fprintf(2, "bench: frames or kernel heap leaked\n");
    failures++;
  }
  printf("bench: %d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
