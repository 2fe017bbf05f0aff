/* sysfuzz: random system calls with adversarial arguments, from several
   processes at once. The kernel must survive every call, and once every
   fuzzing process is gone, every frame and every kernel-heap byte must be
   back.

     sysfuzz [calls [seed [processes]]]

   The coordinator (this process) runs rounds. Each round it starts a
   watchdog, then `processes` workers with a share of the calls; each worker
   closes what it inherited, takes a scratch buffer from sbrk, and issues
   random calls (numbers 0 to 5 past the last call: those must fail) whose
   arguments come from pools of hostile values: kernel addresses, the pages
   the kernel maps into every process (RISC-V trampoline and trap frame,
   x86-64 kernel stack), guard pages, holes, null, read-only text, lengths
   that wrap, huge and negative sizes, bad descriptors. Workers fork (their
   children fuzz too, two levels deep), exec valid and broken programs, kill
   each other, exit, sleep, and fill and drain pipes. A worker that blocks
   (a read of a pipe nobody writes, a long sleep) is killed by the round's
   watchdog. halt is in, with a failing status: only init may halt. Left
   out: kill of the coordinator's parent, of the
   coordinator and of its helpers (any pid from 2 to the coordinator's,
   the collector and the watchdogs). kill(1) stays in: the kernel must
   refuse to kill init.

   Counting: workers send 16-byte records (calls, errors, ...) down a pipe
   to a collector process, which sums them; a killed process loses at most
   the calls since its last record (fewer than 16). The coordinator asks the
   collector for the total after each round and stops when the count is
   reached; at the end it kills whatever is left, and the collector's final
   total arrives once every writer of that pipe is gone.

   Prints the seed, calls, errors (-1 results), processes killed (wait
   status -1), free frames and kernel-heap bytes before and after, then
   "N passed, M failed"; exit status 0 only if nothing failed. */
#include "user.h"
#include "fuzztargets.h"

/* The call numbers, from the one list (SYS_fork = 1, ...), and how many
   there are: numbers above them (up to 5 more) and 0 must fail. */
enum {
#define SYSCALL(name, number) SYS_##name = number,
#include "syscalls.def"
#undef SYSCALL
};
enum {
#define SYSCALL(name, number) SYS_AFTER_##name,
  SYS_AFTER_NONE = 0,
#include "syscalls.def"
#undef SYSCALL
  SYSCALL_COUNT_PLUS_ONE
};
#define SYSCALL_COUNT (SYSCALL_COUNT_PLUS_ONE - 1)
#define NSYSCALLS (SYSCALL_COUNT + 6)

#define DEFAULT_CALLS 10000
#define DEFAULT_SEED 0x5eed5eedUL
#define DEFAULT_PROCESSES 8
#define MAX_PROCESSES 16
/* Calls per worker, and per child a worker forks. */
#define WORKER_CALLS 400
#define CHILD_CALLS 48
/* Workers fork children, and those fork grandchildren; no deeper. */
#define MAX_DEPTH 2
/* A record goes to the collector at least every this many calls. */
#define FLUSH_EVERY 16
/* Ticks a round may take before its watchdog kills everything in it: a
   round takes about 2 s under QEMU; 5 s leaves the watchdog to processes
   that really block. */
#define ROUND_TICKS 500
/* 1 in this many pipe reads and writes that may block the caller on itself
   are made anyway (the watchdog then kills it). */
#define BLOCK_CHANCE 512
/* Ticks the last watchdog waits for stragglers after the final sweep. */
#define FINAL_TICKS 500
#define SCRATCH_BYTES 8192
/* A fuzzing process grows its heap to at most this much. */
#define HEAP_CAP (1L << 20)
#define NFD 16
#define MAX_PIPES 32
#define PIPE_CAPACITY 512

/* What a fuzzing process tells the collector. */
struct record {
  uint32 calls;
  uint32 errors;
  uint32 killed; /* children it reaped with status -1 */
  int execs;     /* exec calls that replaced a program (-1: one announced did not) */
};
#define QUERY 0xFFFFFFFFu /* calls value of the coordinator's "how many so far?" */

/* The collector's answer. */
struct totals {
  uint64 calls;
  uint64 errors;
  uint64 killed;
  long execs;
};

/* ---- random numbers: xorshift64*, seeded through splitmix64 ---- */
static uint64 rng;

static uint64 splitmix(uint64 x) {
  x += 0x9E3779B97F4A7C15UL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
  return x ^ (x >> 31);
}

static uint64 rnd(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545F4914F6CDD1DUL;
}

static uint64 below(uint64 n) { return n ? rnd() % n : 0; }
static int chance(uint64 n) { return below(n) == 0; }

/* ---- who is who ---- */
static int coordinator_pid, collector_pid, timer_pid, my_pid;
static int report_fd = -1;
static int depth;
static struct record pending;

/* ---- a fuzzing process's own picture of its memory and descriptors ---- */
static uint64 scratch;   /* SCRATCH_BYTES from sbrk: the only memory the kernel may write */
static uint64 heap_start; /* the break before the scratch buffer */
static uint64 cur_brk;   /* the break as this process moved it */
static uint64 stack_anchor;

enum { FD_NONE, FD_OTHER, FD_PIPE_R, FD_PIPE_W, FD_REPORT };
static uchar fd_kind[NFD];
static uchar fd_pipe[NFD];
/* Bytes in each pipe this process made: at least lo, at most hi. */
static int pipe_lo[MAX_PIPES], pipe_hi[MAX_PIPES];
static int next_pipe;

/* ---- strings and argument vectors the kernel may read ---- */
static const char *const exec_valid[] = {"elfbase", "echo", "elfbase", "echo", "free", "vmmap"};
/* elfbase prints nothing; the others write to descriptors 1 and 2 (echo a few bytes). */
static const char *const exec_refused[] = {"bad-magic", "bad-machine", "bad-truncated", "bad-seg-kernel",
                                           "bad-entry", "bad-phoff", "nosuchprogram", "", ".", "/"};
static const char *const open_paths[] = {"elfbase", "echo", "init", "sh", "sysfuzz", ".", "/", "", "nosuchfile",
                                         "bad-magic", "ls", "elfbase/x"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
static char long_path[300];
static char *argv_one[] = {"fuzz", 0};
static char *argv_two[] = {"fuzz", "two words", 0};
static char *argv_many[20];
static char *argv_kernel[] = {"fuzz", (char *)FUZZ_KERNEL, 0};
static char *argv_special[] = {(char *)FUZZ_SPECIAL2, 0};

static void text_marker(void) {}

static uint64 page_end(uint64 a) { return (a + 4095) & ~4095UL; }

/* A real program to exec. One that prints only when descriptors 1 and 2
   are no pipe it could fill: the new program would block on it forever
   (this process, now that program, holds the pipe's read end too). */
static uint64 real_program(void) {
  for (int fd = 1; fd <= 2; fd++)
    if (fd_kind[fd] == FD_PIPE_W)
      return (uint64)"elfbase";
  return (uint64)exec_valid[below(COUNT(exec_valid))];
}

/* ---- argument pools ---- */

/* Addresses the kernel must refuse (or, for text and the read-only page, read but never write). */
static uint64 hostile_pointer(void) {
  switch (below(16)) {
  case 0: return 0;
  case 1: return below(64); /* text on riscv64, unmapped on x86-64 */
  case 2: return FUZZ_KERNEL + below(1 << 20);
  case 3: return FUZZ_SPECIAL1 + below(4096);
  case 4: return FUZZ_SPECIAL2 + below(4096);
  case 5: return FUZZ_USER_END - 1 - below(16);             /* runs off the end of user space */
  case 6: return FUZZ_STACK_GUARD(stack_anchor) + below(4096); /* the stack's guard page */
  case 7: return page_end(cur_brk) + 4096 * below(256) + below(4096); /* the hole above the heap */
  case 8: /* the heap's last bytes, then the hole (with no heap, the page above the image is ours) */
    return cur_brk > heap_start ? page_end(cur_brk) - 1 - below(8) : page_end(cur_brk) + below(8);
  case 9: return FUZZ_NONCANONICAL + below(4096);
  case 10: return ~0UL - below(4096);                       /* wraps */
  case 11: return 1UL << (32 + below(31));
  case 12: return (uint64)text_marker + below(256);         /* read-only text */
  case 13: return FUZZ_READ_ONLY_PAGE + below(4096);
  case 14: return FUZZ_KERNEL - 1 - below(64);              /* just below the kernel */
  default: return rnd();
  }
}

/* Where the kernel may write: mostly the scratch buffer, else hostile. */
static uint64 out_pointer(void) {
  if (scratch && chance(2))
    return scratch + below(SCRATCH_BYTES);
  return hostile_pointer();
}

/* Where the kernel may read: anything of ours, or hostile. */
static uint64 in_pointer(void) {
  switch (below(6)) {
  case 0: return scratch ? scratch + below(SCRATCH_BYTES) : 0;
  case 1: return stack_anchor - below(256);
  case 2: return (uint64)long_path + below(sizeof long_path);
  default: return hostile_pointer();
  }
}

static uint64 length_arg(void) {
  switch (below(15)) {
  case 0: return 0;
  case 1: return 1;
  case 2: return below(16);
  case 3: return below(300);
  case 4: return 256 + below(600);
  case 5: return 4095 + below(3);
  case 6: return below(SCRATCH_BYTES + 64);
  case 7: return 0x7FFFFFFFUL;
  case 8: return 0x80000000UL;
  case 9: return 0xFFFFFFFFUL;
  case 10: return ~0UL;                   /* -1 */
  case 11: return -4096UL;
  case 12: return (1UL << 32) | below(64); /* wraps to a small 32-bit length */
  case 13: return 1UL << 63;
  default: return rnd();
  }
}

/* A descriptor: mostly one of 0-15 (often open), else out of range. */
static uint64 fd_arg(void) {
  switch (below(10)) {
  case 0: case 1: case 2: case 3: {
    for (int tries = 0; tries < 8; tries++) {
      int fd = (int)below(NFD);
      if (fd_kind[fd] != FD_NONE && fd_kind[fd] != FD_REPORT)
        return fd;
    }
    return below(NFD);
  }
  case 4: case 5: return below(NFD);
  case 6: return ~0UL;
  case 7: return NFD + below(100);
  case 8: return (1UL << 32) | below(NFD); /* low 32 bits name a descriptor */
  default: return rnd();
  }
}

static uint64 pid_arg(void) {
  switch (below(9)) {
  case 0: return 0;
  case 1: return ~0UL;
  case 2: return my_pid;
  case 3: case 4: return coordinator_pid + 1 + below(300);
  case 5: return (uint64)my_pid + 1 + below(8);
  case 6: return 0x7FFFFFFFUL;
  case 7: return chance(2) ? (1UL << 32) | (uint64)my_pid : (1UL << 32) | 1; /* 32 bits: me, or init */
  default: return rnd();
  }
}

static uint64 sbrk_arg(void) {
  switch (below(12)) {
  case 0: return 0;
  case 1: return below(4096);
  case 2: return 4096 * below(8);
  case 3: return -below(4096);
  case 4: return -(4096 * below(8));
  case 5: return chance(4) ? 1UL << 20 : 1UL << 16;
  case 6: return chance(16) ? 16UL << 20 : 3 * 4096;
  case 7: return 0x7FFFFFFFUL;
  case 8: return 0x80000000UL; /* INT_MIN */
  case 9: return -(1UL << 30);
  case 10: return (1UL << 32) | 4096; /* the kernel takes 32 bits: +4096 */
  default: return rnd();
  }
}

static uint64 ticks_arg(void) {
  /* Mostly calls that return at once: a sleeping worker only idles the CPU. */
  switch (below(8)) {
  case 0: case 1: return 0;
  case 2: return ~0UL;
  case 3: return 0x80000000UL;
  case 4: return (1UL << 32); /* 0 in 32 bits */
  case 5: return (1UL << 32) | 1; /* 1 in 32 bits */
  case 6: return -(uint64)below(1000);
  default: return chance(1024) ? 1000000 : 1; /* the long one is for the watchdog */
  }
}

static uint64 flags_arg(void) {
  switch (below(8)) {
  case 0: return 0;
  case 1: return 1;
  case 2: return 2;
  case 3: return 0x200;
  case 4: return 0x400;
  case 5: return 0x202;
  case 6: return ~0UL;
  default: return rnd();
  }
}

static uint64 path_arg(void) {
  switch (below(6)) {
  case 0: case 1: return (uint64)open_paths[below(COUNT(open_paths))];
  case 2: return (uint64)long_path + below(sizeof long_path); /* too long, unless near its end */
  case 3: return page_end(cur_brk) - 1 - below(4);            /* unterminated at the heap's end */
  case 4: return scratch ? scratch + below(SCRATCH_BYTES) : 0;
  default: return hostile_pointer();
  }
}

static uint64 exec_path_arg(void) {
  switch (below(6)) {
  case 0:
    /* A real program replaces the caller: rarely for workers, more often for their children. */
    if (depth > 0 || chance(4))
      return real_program();
    return (uint64)exec_refused[below(COUNT(exec_refused))];
  case 1: case 2: return (uint64)exec_refused[below(COUNT(exec_refused))];
  case 3: return (uint64)long_path + below(sizeof long_path);
  case 4: return page_end(cur_brk) - 1 - below(4);
  default: return hostile_pointer();
  }
}

static uint64 argv_arg(void) {
  switch (below(9)) {
  case 0: return 0;
  case 1: case 2: return (uint64)argv_one;
  case 3: return (uint64)argv_two;
  case 4: return (uint64)argv_many; /* more arguments than exec takes */
  case 5: return (uint64)argv_kernel;
  case 6: return (uint64)argv_special;
  case 7: return scratch ? (scratch + below(SCRATCH_BYTES)) & ~7UL : 0; /* random pointers */
  default: return hostile_pointer();
  }
}

/* Anything at all: small numbers, pointers, lengths, noise. */
static uint64 any_arg(void) {
  switch (below(4)) {
  case 0: return (uint64)((long)below(24) - 3);
  case 1: return hostile_pointer();
  case 2: return length_arg();
  default: return rnd();
  }
}

/* ---- records to the collector ---- */
static void flush(void) {
  if (report_fd < 0 || (pending.calls == 0 && pending.errors == 0 && pending.killed == 0 && pending.execs == 0))
    return;
  write(report_fd, &pending, sizeof pending);
  pending.calls = pending.errors = pending.killed = pending.execs = 0;
}

/* ---- the fuzzing loop ---- */

static int valid_fd(uint64 fd) { return fd < NFD; }

static int new_pipe_id(void) {
  int id = next_pipe++ % MAX_PIPES;
  pipe_lo[id] = pipe_hi[id] = 0;
  return id;
}

/* Fills a[] for call n; returns 0 when the call must not be made as drawn. */
static int prepare(int n, uint64 *a) {
  for (int i = 0; i < 6; i++)
    a[i] = any_arg();
  switch (n) {
  case SYS_fork:
    if (depth >= MAX_DEPTH)
      return 0;
    break;
  case SYS_exit:
    if (depth == 0 && !chance(16))
      return 0;
    a[0] = chance(2) ? below(4) : rnd();
    break;
  case SYS_wait: a[0] = chance(4) ? 0 : out_pointer(); break;
  case SYS_waitinfo: a[0] = out_pointer(); break;
  case SYS_pipe: a[0] = out_pointer(); break;
  case SYS_read: a[0] = fd_arg(); a[1] = out_pointer(); a[2] = length_arg(); break;
  case SYS_kill: a[0] = pid_arg(); break;
  case SYS_exec: a[0] = exec_path_arg(); a[1] = argv_arg(); break;
  case SYS_fstat: a[0] = fd_arg(); a[1] = out_pointer(); break;
  case SYS_chdir: case SYS_unlink: case SYS_mkdir: a[0] = path_arg(); break;
  case SYS_dup: case SYS_close: a[0] = fd_arg(); break;
  case SYS_sbrk: a[0] = sbrk_arg(); break;
  case SYS_sleep: a[0] = ticks_arg(); return 1; /* no argument confusion: a long sleep only wastes time */
  case SYS_open: a[0] = path_arg(); a[1] = flags_arg(); break;
  case SYS_write: a[0] = fd_arg(); a[1] = in_pointer(); a[2] = length_arg(); break;
  case SYS_mknod: a[0] = path_arg(); a[1] = below(4); a[2] = below(4); break;
  case SYS_link: a[0] = path_arg(); a[1] = path_arg(); break;
  case SYS_memmap: a[0] = out_pointer(); a[1] = chance(2) ? below(12) : any_arg(); break;
  case SYS_halt: a[0] = 1 + below(3); break; /* refused; a kernel that obeyed would fail the run */
  default: break; /* getpid, uptime, freeframes, kheap, and the numbers that do not exist */
  }
  /* Now and then an argument of the wrong kind altogether. */
  for (int i = 0; i < 3; i++)
    if (chance(24) && n != SYS_exit)
      a[i] = any_arg();
  /* Calls that would disturb the counting or the test itself. */
  switch (n) {
  case SYS_read: case SYS_write: case SYS_close: case SYS_dup: case SYS_fstat:
    if (valid_fd(a[0]) && fd_kind[a[0]] == FD_REPORT)
      return 0;
    break;
  case SYS_kill: {
    int pid = (int)a[0]; /* the kernel takes 32 bits */
    /* init (pid 1) stays in: the kernel must refuse to kill it. */
    if (pid > 1 && (pid <= coordinator_pid || pid == collector_pid || pid == timer_pid))
      return 0;
    if (pid == my_pid && depth == 0 && !chance(8))
      return 0;
    break;
  }
  case SYS_sbrk: {
    /* Shrinking below the scratch buffer is fine (its pages go); nothing
       else lives on the heap. Growing is capped: a heap of tens of MiB makes
       every later fork copy it, which only slows the run down. Requests
       beyond all of memory stay (the kernel must refuse them). */
    long delta = (int)a[0];
    if (delta > 0 && (long)(cur_brk - heap_start) + delta > HEAP_CAP && delta < (256L << 20))
      a[0] = 0x7FFFFFFF;
    break;
  }
  }
  /* Pipe calls that would block this process on itself: mostly avoided, sometimes made. */
  if ((n == SYS_read || n == SYS_write) && valid_fd(a[0])) {
    int fd = (int)a[0];
    int p = fd_pipe[fd];
    if (n == SYS_read && fd_kind[fd] == FD_PIPE_R && pipe_lo[p] == 0 && !chance(BLOCK_CHANCE))
      return 0;
    if (n == SYS_write && fd_kind[fd] == FD_PIPE_W) {
      if (pipe_hi[p] >= PIPE_CAPACITY && !chance(BLOCK_CHANCE))
        return 0;
      if (a[2] <= 0x7FFFFFFFUL && pipe_hi[p] + (long)a[2] > PIPE_CAPACITY && !chance(BLOCK_CHANCE))
        a[2] = PIPE_CAPACITY - pipe_hi[p];
    }
  }
  return 1;
}

/* Updates this process's picture after call n returned r. */
static void account(int n, uint64 *a, long r) {
  switch (n) {
  case SYS_pipe:
    if (r == 0) {
      int *fds = (int *)a[0]; /* the kernel wrote them: mapped and ours */
      int id = new_pipe_id();
      if (fds[0] >= 0 && fds[0] < NFD) { fd_kind[fds[0]] = FD_PIPE_R; fd_pipe[fds[0]] = id; }
      if (fds[1] >= 0 && fds[1] < NFD) { fd_kind[fds[1]] = FD_PIPE_W; fd_pipe[fds[1]] = id; }
    }
    break;
  case SYS_dup:
    if (r >= 0 && r < NFD && valid_fd(a[0])) {
      fd_kind[r] = fd_kind[a[0]];
      fd_pipe[r] = fd_pipe[a[0]];
    }
    break;
  case SYS_close:
    if (r == 0 && valid_fd(a[0]))
      fd_kind[a[0]] = FD_NONE;
    break;
  case SYS_open:
    if (r >= 0 && r < NFD) {
      struct stat st;
      /* The console would block reads and print noise: not for fuzzing. */
      if (fstat((int)r, &st) == 0 && st.type == T_DEVICE) {
        close((int)r);
        fd_kind[r] = FD_NONE;
      } else {
        fd_kind[r] = FD_OTHER;
      }
    }
    break;
  case SYS_read:
    if (valid_fd(a[0]) && fd_kind[a[0]] == FD_PIPE_R) {
      int p = fd_pipe[a[0]];
      if (r >= 0) {
        pipe_lo[p] -= r;
        pipe_hi[p] -= r;
      } else {
        /* A bad buffer: up to one chunk was taken before the copy failed. */
        pipe_lo[p] -= a[2] < 256 ? (int)a[2] : 256;
        pipe_hi[p] -= 1;
      }
      if (pipe_lo[p] < 0) pipe_lo[p] = 0;
      if (pipe_hi[p] < 0) pipe_hi[p] = 0;
    }
    break;
  case SYS_write:
    if (valid_fd(a[0]) && fd_kind[a[0]] == FD_PIPE_W && r > 0) {
      int p = fd_pipe[a[0]];
      pipe_lo[p] += r;
      pipe_hi[p] += r;
    }
    break;
  case SYS_sbrk:
    if (r != -1)
      cur_brk = (uint64)r + (uint64)(long)(int)a[0];
    break;
  case SYS_wait:
    if (r > 0 && a[0] != 0 && *(int *)a[0] == -1)
      pending.killed++;
    break;
  case SYS_waitinfo:
    if (r > 0 && ((struct exitinfo *)a[0])->status == -1)
      pending.killed++;
    break;
  }
}

static void fuzz(int budget);

/* In a child just forked: it fuzzes on with a small budget of its own. */
static void become_child(void) {
  pending.calls = pending.errors = pending.killed = pending.execs = 0;
  depth++;
  my_pid = getpid();
  rng = splitmix(rng ^ (uint64)my_pid) | 1; /* not the parent's sequence */
  /* The pipes it inherited are the parent's to fill and drain: counted as
     full for writing and empty for reading, so that the two do not both
     fill one (and block on it). */
  for (int fd = 0; fd < NFD; fd++) {
    if (fd_kind[fd] == FD_PIPE_R || fd_kind[fd] == FD_PIPE_W) {
      pipe_hi[fd_pipe[fd]] = PIPE_CAPACITY;
      pipe_lo[fd_pipe[fd]] = 0;
    }
  }
  fuzz(CHILD_CALLS);
}

/* Forks a few children that exec a program each, then reaps them. */
static void fork_exec_burst(int *made) {
  int k = 1 + (int)below(4);
  int started = 0;
  for (int i = 0; i < k; i++) {
    (*made)++;
    pending.calls++;
    int pid = fork();
    if (pid < 0) {
      pending.errors++;
      continue;
    }
    if (pid == 0) {
      pending.calls = pending.errors = pending.killed = pending.execs = 0;
      depth = MAX_DEPTH;
      uint64 path = chance(2) ? real_program()
                              : (uint64)exec_refused[below(COUNT(exec_refused))];
      pending.calls = 1;
      pending.execs = 1;
      flush();
      long r = usyscall(SYS_exec, path, (uint64)argv_one, 0, 0, 0, 0);
      pending.execs = -1;
      pending.errors += r == -1;
      flush();
      exit(0);
    }
    started++;
  }
  for (int i = 0; i < started; i++) {
    int status = 0;
    (*made)++;
    pending.calls++;
    if (wait(&status) < 0)
      pending.errors++;
    else if (status == -1)
      pending.killed++;
  }
}

static void finish(void) {
  flush();
  int status;
  while (wait(&status) >= 0)
    if (status == -1)
      pending.killed++;
  flush();
  exit(0);
}

static void fuzz(int budget) {
  int made = 0;
  uint64 a[6];
  while (made < budget) {
    if (depth < MAX_DEPTH && chance(300)) {
      fork_exec_burst(&made);
      continue;
    }
    int n = (int)below(NSYSCALLS);
    if (!prepare(n, a))
      continue;
    made++;
    pending.calls++;
    if (n == SYS_exit) {
      flush();
      usyscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
      exit(0); /* not reached */
    }
    if (n == SYS_exec) {
      pending.execs++; /* taken back below if exec returns */
      flush();
    }
    long r = usyscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (n == SYS_exec)
      pending.execs--;
    if (r == -1)
      pending.errors++;
    if (n == SYS_fork && r == 0) {
      become_child();
      finish();
    }
    account(n, a, r);
    if (pending.calls >= FLUSH_EVERY)
      flush();
  }
}

/* ---- the processes ---- */

static void close_all_but(int keep1, int keep2) {
  for (int fd = 0; fd < NFD; fd++)
    if (fd != keep1 && fd != keep2)
      close(fd);
}

static void worker_main(uint64 seed, int budget) {
  uint64 anchor = 0;
  rng = splitmix(seed) | 1;
  my_pid = getpid();
  depth = 0;
  close_all_but(report_fd, report_fd);
  for (int fd = 0; fd < NFD; fd++)
    fd_kind[fd] = fd == report_fd ? FD_REPORT : FD_NONE;
  heap_start = (uint64)sbrk(0);
  char *s = sbrk(SCRATCH_BYTES);
  scratch = s == (char *)-1 ? 0 : (uint64)s;
  cur_brk = (uint64)sbrk(0);
  for (uint64 i = 0; scratch && i < SCRATCH_BYTES; i += 8)
    *(uint64 *)(scratch + i) = chance(4) ? (uint64)open_paths[below(COUNT(open_paths))] : rnd();
  stack_anchor = (uint64)&anchor;
  fuzz(budget);
  finish();
}

/* The collector: sums records until every writer is gone, answering the
   coordinator's queries on the way. */
static char collect_buffer[512 + sizeof(struct record)];

static void collector_main(int in, int out) {
  struct totals t = {0, 0, 0, 0};
  int have = 0;
  for (;;) {
    int n = read(in, collect_buffer + have, 512);
    if (n <= 0)
      break;
    have += n;
    int used = 0;
    while (have - used >= (int)sizeof(struct record)) {
      struct record *r = (struct record *)(collect_buffer + used);
      if (r->calls == QUERY) {
        write(out, &t, sizeof t);
      } else {
        t.calls += r->calls;
        t.errors += r->errors;
        t.killed += r->killed;
        t.execs += r->execs;
      }
      used += sizeof(struct record);
    }
    memmove(collect_buffer, collect_buffer + used, have - used);
    have -= used;
  }
  write(out, &t, sizeof t);
  exit(0);
}

/* The pid the next process gets, learned by starting one that exits at once. */
static int probe_pid(void) {
  for (int tries = 0; tries < 100; tries++) {
    int pid = fork();
    if (pid == 0)
      exit(0);
    if (pid > 0) {
      int p;
      while ((p = wait(0)) >= 0 && p != pid)
        ;
      return pid;
    }
    sleep(1);
  }
  return -1;
}

/* Kills every process with a pid in (from, now], but spare; returns the first pid not covered. */
static int sweep(int from, int spare) {
  int top = probe_pid();
  if (top < 0)
    top = from + 4000;
  for (int rounds = 0; rounds < 100; rounds++) {
    for (int pid = from + 1; pid < top; pid++)
      if (pid != spare && pid != my_pid && pid != collector_pid)
        kill(pid);
    int again = probe_pid();
    if (again < 0 || again == top + 1)
      break;
    from = top;
    top = again;
  }
  return top;
}

/* A round's watchdog: sleeps; if it is not killed first, it kills the round. */
static void timer_main(int from, int ticks) {
  close_all_but(-1, -1);
  my_pid = getpid();
  sleep(ticks);
  int top = sweep(from, my_pid);
  exit(top);
}

/* ---- the coordinator ---- */
static int coordinator_fork(void) {
  for (int tries = 0; tries < 500; tries++) {
    int pid = fork();
    if (pid >= 0)
      return pid;
    sleep(1);
  }
  return -1;
}

static uint64 parse(const char *s) {
  uint64 v = 0;
  int base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  for (; *s; s++) {
    int d;
    if (*s >= '0' && *s <= '9') d = *s - '0';
    else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
    else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
    else break;
    v = v * base + d;
  }
  return v;
}

static int passed, failed;

static void check(const char *what, int ok) {
  printf("sysfuzz: %s: %s\n", what, ok ? "ok" : "FAILED");
  if (ok)
    passed++;
  else
    failed++;
}

/* After the run: the kernel still makes pipes, forks, execs and reaps. */
static int kernel_still_works(void) {
  int p[2];
  if (pipe(p) < 0)
    return 0;
  int pid = fork();
  if (pid == 0) {
    close(p[0]);
    write(p[1], "ok", 2);
    close(p[1]);
    char *args[] = {"true", 0};
    exec("true", args);
    exit(9);
  }
  close(p[1]);
  char got[2] = {0, 0};
  int n = pid > 0 ? read(p[0], got, 2) : -1;
  close(p[0]);
  int status = -5;
  int reaped = pid > 0 ? wait(&status) : -1;
  return n == 2 && got[0] == 'o' && got[1] == 'k' && reaped == pid && status == 0;
}

static void ask(int stats_w, int result_r, struct totals *t) {
  struct record q = {QUERY, 0, 0, 0};
  write(stats_w, &q, sizeof q);
  if (read(result_r, t, sizeof *t) != (int)sizeof *t)
    t->calls = t->errors = t->killed = t->execs = 0;
}

int main(int argc, char *argv[]) {
  uint64 calls = argc > 1 ? parse(argv[1]) : DEFAULT_CALLS;
  uint64 seed = argc > 2 ? parse(argv[2]) : DEFAULT_SEED;
  int processes = argc > 3 ? (int)parse(argv[3]) : DEFAULT_PROCESSES;
  if (processes < 1) processes = 1;
  if (processes > MAX_PROCESSES) processes = MAX_PROCESSES;
  for (uint i = 0; i + 1 < sizeof long_path; i++)
    long_path[i] = 'a' + i % 26;
  for (int i = 0; i < 19; i++)
    argv_many[i] = "many";

  printf("sysfuzz: seed 0x%lx, %lu calls, %d processes per round, %s\n", seed, calls, processes, FUZZ_ARCH);
  coordinator_pid = my_pid = getpid();
  /* The system cannot go on without init: the kernel must refuse to kill it. */
  int init_spared = kill(1) == -1;
  int start_ticks = uptime();
  long frames_before = freeframes();
  long heap_before = kheap();

  int stats[2], result[2];
  if (pipe(stats) < 0 || pipe(result) < 0) {
    printf("sysfuzz: pipe failed\n");
    return 1;
  }
  int forked = 0, reaped = 0;
  collector_pid = coordinator_fork();
  if (collector_pid == 0) {
    close_all_but(stats[0], result[1]);
    collector_main(stats[0], result[1]);
  }
  if (collector_pid < 0) {
    printf("sysfuzz: fork failed\n");
    return 1;
  }
  forked++;
  close(stats[0]);
  close(result[1]);
  report_fd = stats[1];

  struct totals t = {0, 0, 0, 0};
  uint64 rounds = 0, timeouts = 0, workers = 0, workers_killed = 0, fork_failures = 0;
  uint64 max_rounds = calls / (WORKER_CALLS / 2) + 20;
  int sweep_from = coordinator_pid;
  uint64 worker_seed = splitmix(seed);
  while (t.calls < calls && rounds < max_rounds) {
    rounds++;
    timer_pid = coordinator_fork();
    if (timer_pid == 0)
      timer_main(sweep_from, ROUND_TICKS);
    if (timer_pid < 0) {
      fork_failures++;
      break;
    }
    forked++;
    int round_start = uptime();
    uint64 left = calls - t.calls;
    int started = 0;
    for (int i = 0; i < processes && left > 0; i++) {
      int budget = left < WORKER_CALLS ? (int)left : WORKER_CALLS;
      worker_seed = splitmix(worker_seed);
      int pid = coordinator_fork();
      if (pid == 0)
        worker_main(worker_seed, budget);
      if (pid < 0) {
        fork_failures++;
        break;
      }
      forked++;
      started++;
      workers++;
      left -= budget;
    }
    int timer_done = 0;
    while (started > 0 || !timer_done) {
      /* Workers done: stop the watchdog, unless it is due (then it may be
         sweeping, and it ends by itself). */
      if (started == 0 && !timer_done && uptime() - round_start < ROUND_TICKS)
        kill(timer_pid);
      int status = 0;
      int pid = wait(&status);
      if (pid < 0)
        break;
      reaped++;
      if (pid == timer_pid) {
        timer_done = 1;
        if (status != -1) { /* it fired: everything above sweep_from is dead */
          timeouts++;
          sweep_from = status;
        }
      } else if (pid == collector_pid) {
        printf("sysfuzz: the collector ended early\n");
      } else {
        started--;
        if (status == -1)
          workers_killed++;
      }
    }
    ask(report_fd, result[0], &t);
  }

  /* Whatever still runs (orphans of killed workers) is killed; the
     collector's total comes when the last writer of its pipe is gone. A
     last watchdog kills stragglers if that takes too long. */
  sweep(sweep_from, collector_pid);
  close(report_fd);
  int final_timer = coordinator_fork();
  if (final_timer == 0) {
    timer_main(coordinator_pid, FINAL_TICKS);
  }
  if (final_timer > 0)
    forked++;
  struct totals final = t;
  if (read(result[0], &final, sizeof final) != (int)sizeof final)
    printf("sysfuzz: no total from the collector\n");
  close(result[0]);
  int stragglers = 0;
  if (final_timer > 0)
    kill(final_timer);
  int status, pid;
  while ((pid = wait(&status)) >= 0) {
    reaped++;
    if (pid == final_timer && status != -1)
      stragglers = 1;
  }

  /* Orphans are reaped by init: give it a moment to collect the last ones. */
  long frames_after = freeframes(), heap_after = kheap();
  for (int i = 0; i < 200 && (frames_after != frames_before || heap_after != heap_before); i++) {
    sleep(1);
    frames_after = freeframes();
    heap_after = kheap();
  }
  int seconds = (uptime() - start_ticks) / 100;

  printf("sysfuzz: calls %lu (asked for %lu), errors (-1) %lu, exec replaced a program %lu times\n",
         final.calls, calls, final.errors, final.execs);
  printf("sysfuzz: rounds %lu (watchdog fired in %lu), workers %lu, processes killed %lu (workers %lu, their children %lu)\n",
         rounds, timeouts, workers, workers_killed + final.killed, workers_killed, final.killed);
  printf("sysfuzz: free frames before %ld, after %ld\n", frames_before, frames_after);
  printf("sysfuzz: kernel heap bytes before %ld, after %ld\n", heap_before, heap_after);
  printf("sysfuzz: about %d s\n", seconds);
  check("the kernel survived: pipe, fork, exec and wait still work", kernel_still_works());
  check("kill(1) is refused", init_spared);
  check("every call was made", final.calls >= calls && fork_failures == 0);
  check("every child reaped", forked == reaped && wait(0) == -1 && !stragglers);
  check("free frames back", frames_after == frames_before);
  check("kernel heap back", heap_after == heap_before);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
