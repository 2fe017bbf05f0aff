/* stress: fork, exec, pipe and file storms from one worker process per CPU,
   for a bounded number of rounds and a bounded time, each worker checking
   what it gets back; at the end every frame and every kernel-heap byte must
   be back.

     stress [ROUNDS [WORKERS]]   the test: WORKERS workers (default: one per
                                 CPU, cpucount()), each ROUNDS rounds (default
                                 ROUNDS_DEFAULT) or until TIME_LIMIT_SECONDS
                                 have passed, whichever comes first
     stress echo K               what each exec runs: writes the K-pattern
                                 to standard output and exits with K % 100
     stress bench fork|pipe N    make bench-smp's workloads: N fork+exit+wait,
                                 or N one-byte pipe round trips, split over
                                 one worker per CPU (see bench below)

   One round of worker w:
     fork+exit   a child exits with a status made from (w, round); wait must
                 return that child's pid and that status
     exec        a child execs `stress echo K` with its standard output on a
                 pipe; the parent reads the whole pattern back and the status
     pipe        a child writes PIPE_BYTES (many times a pipe's buffer) in
                 uneven pieces; the parent reads them in other uneven pieces,
                 checks every byte, then end of file, then the child's status
     file        the worker's own file: written in uneven pieces, read back
                 whole through a second open, size checked with fstat, unlinked

   A worker exits 0 only if every check of every round passed (it prints the
   first failure). The last line is "stress: PASS ..." or "stress: FAIL ...";
   the exit status is 0 only with PASS. */
#include "user.h"

#define ROUNDS_DEFAULT 12
#define MAX_WORKERS 8
#define TIME_LIMIT_SECONDS 60
#define TICKS_PER_SECOND 100 /* both kernels' timer rate */
#define PIPE_BYTES 6000
#define FILE_BYTES 5000
#define ECHO_BYTES 700
#define CHUNK 512

static unsigned char buffer[CHUNK];
static char self[32] = "stress";

/* The byte at `offset` of stream `id`: any byte read back can be checked. */
static unsigned char content(uint id, uint offset) {
  uint x = id * 2654435761u + offset * 40503u;
  x ^= x >> 15;
  x *= 0x2c1b3c6du;
  x ^= x >> 12;
  return (unsigned char)x;
}

/* A piece length between 1 and CHUNK that varies with `step`. */
static uint piece(uint step, uint salt) { return 1 + (step * 97u + salt * 31u) % CHUNK; }

static int worker_index;
static int worker_round;

static int fail(const char *what, long got, long expected) {
  printf("stress: worker %d round %d: %s: got %ld, expected %ld\n", worker_index, worker_round, what, got,
         expected);
  return 0;
}

/* Writes `size` bytes of stream `id` to fd in uneven pieces; 1 if all went. */
static int write_stream(int fd, uint id, uint size, uint salt) {
  uint done = 0, step = 0;
  while (done < size) {
    uint n = piece(step++, salt);
    if (n > size - done)
      n = size - done;
    for (uint i = 0; i < n; i++)
      buffer[i] = content(id, done + i);
    if (write(fd, buffer, (int)n) != (int)n)
      return 0;
    done += n;
  }
  return 1;
}

/* Reads stream `id` from fd in uneven pieces until end of file; 1 if exactly
   `size` bytes came, each the right one. */
static int read_stream(int fd, uint id, uint size, uint salt) {
  uint done = 0, step = 0;
  for (;;) {
    int n = read(fd, buffer, (int)piece(step++, salt + 7));
    if (n < 0)
      return fail("read", n, 0);
    if (n == 0)
      break;
    for (int i = 0; i < n; i++)
      if (done + i >= size || buffer[i] != content(id, done + i))
        return fail("byte at offset", done + i, size);
    done += n;
  }
  return done == size ? 1 : fail("bytes read", done, size);
}

/* Waits for `pid` and checks its exit status. */
static int reaped(int pid, int status_expected, const char *what) {
  int status = -7;
  int child = wait(&status);
  if (child != pid)
    return fail(what, child, pid);
  if (status != status_expected)
    return fail(what, status, status_expected);
  return 1;
}

static int fork_exit(uint id) {
  int status = (int)(id % 100);
  int pid = fork();
  if (pid < 0)
    return fail("fork", pid, 0);
  if (pid == 0)
    exit(status);
  return reaped(pid, status, "fork+exit: wait");
}

static int exec_pipe(uint id) {
  int fds[2];
  if (pipe(fds) < 0)
    return fail("exec: pipe", -1, 0);
  int pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return fail("exec: fork", pid, 0);
  }
  if (pid == 0) {
    close(fds[0]);
    close(1);
    dup(fds[1]);
    close(fds[1]);
    char number[12];
    int n = 0;
    uint k = id;
    do {
      number[n++] = (char)('0' + k % 10);
      k /= 10;
    } while (k > 0);
    char digits[12];
    for (int i = 0; i < n; i++)
      digits[i] = number[n - 1 - i];
    digits[n] = 0;
    char *argv[] = {self, "echo", digits, 0};
    exec(self, argv);
    exit(101);
  }
  close(fds[1]);
  int ok = read_stream(fds[0], id, ECHO_BYTES, id);
  close(fds[0]);
  return reaped(pid, (int)(id % 100), "exec: wait") && ok;
}

static int pipe_storm(uint id) {
  int fds[2];
  if (pipe(fds) < 0)
    return fail("pipe", -1, 0);
  int pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return fail("pipe: fork", pid, 0);
  }
  if (pid == 0) {
    close(fds[0]);
    exit(write_stream(fds[1], id, PIPE_BYTES, id) ? 0 : 1);
  }
  close(fds[1]);
  int ok = read_stream(fds[0], id, PIPE_BYTES, id * 3);
  close(fds[0]);
  return reaped(pid, 0, "pipe: writer's status") && ok;
}

static int file_storm(uint id) {
  char name[16] = "stress.w0";
  name[8] = (char)('0' + worker_index);
  int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
  if (fd < 0)
    return fail("file: create", fd, 0);
  int wrote = write_stream(fd, id, FILE_BYTES, id);
  close(fd);
  if (!wrote)
    return fail("file: write", 0, FILE_BYTES);
  fd = open(name, O_RDONLY);
  if (fd < 0)
    return fail("file: open", fd, 0);
  struct stat st;
  st.size = 0;
  int ok = fstat(fd, &st) == 0 && st.size == FILE_BYTES ? 1 : fail("file: fstat size", (long)st.size, FILE_BYTES);
  ok = read_stream(fd, id, FILE_BYTES, id * 5) && ok;
  close(fd);
  if (unlink(name) != 0)
    return fail("file: unlink", -1, 0);
  if ((fd = open(name, O_RDONLY)) >= 0) {
    close(fd);
    return fail("file: open after unlink", fd, -1);
  }
  return ok;
}

/* Runs up to `rounds` rounds until `deadline` (ticks); exits 0 if all passed. */
static void worker(int index, int rounds, int deadline) {
  worker_index = index;
  int done = 0;
  for (worker_round = 0; worker_round < rounds && uptime() < deadline; worker_round++) {
    uint id = (uint)(index * 1000 + worker_round);
    if (!fork_exit(id) || !exec_pipe(id) || !pipe_storm(id) || !file_storm(id))
      exit(1);
    done++;
  }
  /* A worker that ran out of time before its first round proved nothing. */
  exit(done > 0 ? 0 : 2);
}

static int echo(char *k) {
  uint id = (uint)atoi(k);
  write_stream(1, id, ECHO_BYTES, id);
  return (int)(id % 100);
}

/* make bench-smp's workloads (Tools/bench-smp.py times them on the host):
   COUNT operations split over one worker per CPU, between a "begin" line
   and a "done" line; "FAILED" instead of "done" if an operation went wrong
   or a frame or heap byte did not come back. */
static int bench_fork(int n) {
  for (int i = 0; i < n; i++) {
    int pid = fork();
    if (pid < 0)
      return 0;
    if (pid == 0)
      exit(0);
    int status = -1;
    if (wait(&status) != pid || status != 0)
      return 0;
  }
  return 1;
}

/* n one-byte round trips through an echo child, as make bench's pipe row. */
static int bench_pipe(int n) {
  int to[2], from[2];
  if (pipe(to) < 0)
    return 0;
  if (pipe(from) < 0) {
    close(to[0]);
    close(to[1]);
    return 0;
  }
  int pid = fork();
  if (pid == 0) {
    close(to[1]);
    close(from[0]);
    char c;
    while (read(to[0], &c, 1) == 1 && write(from[1], &c, 1) == 1)
      ;
    exit(0);
  }
  close(to[0]);
  close(from[1]);
  int ok = pid > 0;
  for (int i = 0; ok && i < n; i++) {
    char c = (char)i;
    ok = write(to[1], &c, 1) == 1 && read(from[0], &c, 1) == 1 && c == (char)i;
  }
  close(to[1]);
  close(from[0]);
  int status = -1;
  return pid > 0 && wait(&status) == pid && status == 0 && ok;
}

static int bench(const char *name, int count) {
  int is_fork = strcmp(name, "fork") == 0;
  if ((!is_fork && strcmp(name, "pipe") != 0) || count < 1) {
    printf("stress: bench %s FAILED: usage: stress bench fork|pipe COUNT\n", name);
    return 1;
  }
  int workers = cpucount();
  if (workers > MAX_WORKERS)
    workers = MAX_WORKERS;
  long frames_before = freeframes(), heap_before = kheap();
  printf("stress: bench %s begin: %d workers\n", name, workers);
  int start = uptime();
  int ok = 1, started = 0;
  for (int w = 0; w < workers; w++) {
    int share = count / workers + (w < count % workers ? 1 : 0);
    int pid = fork();
    if (pid == 0)
      exit((is_fork ? bench_fork(share) : bench_pipe(share)) ? 0 : 1);
    if (pid < 0)
      ok = 0;
    else
      started++;
  }
  for (int n = 0; n < started; n++) {
    int status = -1;
    if (wait(&status) < 0 || status != 0)
      ok = 0;
  }
  int ticks = uptime() - start;
  ok = ok && freeframes() == frames_before && kheap() == heap_before;
  printf("stress: bench %s %s: %d operations, %d ticks\n", name, ok ? "done" : "FAILED", count, ticks);
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc >= 1 && strlen(argv[0]) < sizeof self)
    strcpy(self, argv[0]);
  if (argc == 3 && strcmp(argv[1], "echo") == 0)
    exit(echo(argv[2]));
  if (argc == 4 && strcmp(argv[1], "bench") == 0)
    exit(bench(argv[2], atoi(argv[3])));
  int rounds = argc >= 2 ? atoi(argv[1]) : ROUNDS_DEFAULT;
  int cpus = cpucount();
  int workers = argc >= 3 ? atoi(argv[2]) : cpus;
  if (rounds < 1 || workers < 1 || workers > MAX_WORKERS) {
    printf("stress: FAIL: usage: stress [ROUNDS [WORKERS]] (1 to %d workers; %d CPUs)\n", MAX_WORKERS, cpus);
    exit(1);
  }

  /* Start figures, taken with nothing of ours running. */
  long frames_before = freeframes(), heap_before = kheap();
  int start = uptime();
  int deadline = start + TIME_LIMIT_SECONDS * TICKS_PER_SECOND;
  printf("stress: %d CPUs, %d workers, %d rounds each; free frames %ld, kernel heap %ld bytes\n", cpus, workers,
         rounds, frames_before, heap_before);

  int pids[MAX_WORKERS];
  int started = 0;
  for (int w = 0; w < workers; w++) {
    int pid = fork();
    if (pid == 0)
      worker(w, rounds, deadline);
    if (pid < 0) {
      printf("stress: fork of worker %d failed\n", w);
      break;
    }
    pids[started++] = pid;
  }
  int passed = 0;
  for (int n = 0; n < started; n++) {
    int status = -7;
    int pid = wait(&status);
    int known = 0;
    for (int w = 0; w < started; w++)
      if (pids[w] == pid) {
        known = 1;
        printf("stress: worker %d (pid %d) exited with status %d\n", w, pid, status);
      }
    if (known && status == 0)
      passed++;
  }

  /* Everything the workers used must come back, exactly. */
  long frames_after = freeframes(), heap_after = kheap();
  printf("stress: free frames %ld -> %ld, kernel heap %ld -> %ld bytes, %d ticks\n", frames_before, frames_after,
         heap_before, heap_after, uptime() - start);
  if (passed == workers && started == workers && frames_after == frames_before && heap_after == heap_before) {
    printf("stress: PASS: %d workers on %d CPUs\n", workers, cpus);
    exit(0);
  }
  printf("stress: FAIL: %d of %d workers passed, frames %s, heap %s\n", passed, workers,
         frames_after == frames_before ? "back" : "NOT back", heap_after == heap_before ? "back" : "NOT back");
  exit(1);
}
