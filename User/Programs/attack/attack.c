/* attack: what a hostile program tries against the kernel's promises that a
   call consumes exactly what it delivered (and nothing when it fails), that
   no sleeper is left asleep when its condition came true, that one process
   cannot hold the machine, and that no program can power it off.

     attack          every case, one line each, then "N passed, M failed"
     attack KEY...   only the cases with these keys (the table at the end)

   Each case runs in a child of its own. Bad buffers are memory the caller
   does not have: the hole above the heap's break, and buffers that start
   in the heap and run across the break into it. Exit status 0 only if
   every case passed. */
#include "user.h"

#define PAGE 4096
#define PIPE_CAPACITY 512
/* A case that has to wait for another process gives it this long. */
#define PATIENCE_TICKS 100
/* No case takes longer than this. */
#define CASE_TICKS 2000

static int passed, failed;

/* The first address above the heap, page aligned: nothing is mapped there.
   The page below it is the caller's. */
static char *heap_edge(void) {
  char *now = sbrk(0);
  uint64 rest = (uint64)now % PAGE;
  if (sbrk((int)(rest ? 2 * PAGE - rest : PAGE)) == (char *)-1)
    return 0;
  return sbrk(0);
}

/* An address deep in the hole above the heap. */
static char *unmapped(void) { return sbrk(0) + 1024 * 1024; }

static void pattern(char *buf, int n, int seed) {
  for (int i = 0; i < n; i++)
    buf[i] = (char)(seed + i * 7);
}

static int matches(const char *buf, int n, int seed, int from) {
  for (int i = 0; i < n; i++)
    if (buf[i] != (char)(seed + (from + i) * 7))
      return 0;
  return 1;
}

/* Reads `fd` until end of file into `buf` (at most `max`); the count. */
static int drain(int fd, char *buf, int max) {
  int total = 0, n;
  while (total < max && (n = read(fd, buf + total, max - total)) > 0)
    total += n;
  return total;
}

/* Kills `pid` if it has not exited after `ticks`; the watchdog's pid. */
static int watchdog(int pid, int ticks) {
  int dog = fork();
  if (dog == 0) {
    sleep(ticks);
    kill(pid);
    exit(0);
  }
  return dog;
}

/* Waits for the child `pid`, killing it if it has not exited after
   `ticks`; its exit status (-1 if it was killed), reaping every child. */
static int wait_for(int pid, int ticks) {
  int dog = watchdog(pid, ticks);
  int status = -2, other = 0, got;
  while ((got = wait(&other)) >= 0 && got != pid)
    ;
  if (got == pid)
    status = other;
  if (dog > 0) {
    kill(dog);
    while (wait(0) >= 0)
      ;
  }
  return status;
}

static char scratch[2 * PIPE_CAPACITY];

/* ---- a call consumes what it delivered, and nothing when it fails ---- */

static const char *pipe_read_bad_buffer(void) {
  int p[2];
  if (pipe(p) < 0)
    return "pipe failed";
  if (write(p[1], "abc", 3) != 3)
    return "write failed";
  if (read(p[0], unmapped(), 3) != -1)
    return "read into the hole above the heap did not return -1";
  close(p[1]);
  char got[4] = {0};
  int n = drain(p[0], got, 3);
  if (n != 3 || got[0] != 'a' || got[2] != 'c')
    return "the failed read took the bytes out of the pipe";
  return 0;
}

static const char *pipe_read_partly_bad(void) {
  int p[2];
  if (pipe(p) < 0)
    return "pipe failed";
  pattern(scratch, 300, 1);
  if (write(p[1], scratch, 300) != 300)
    return "write failed";
  close(p[1]);
  char *edge = heap_edge();
  if (!edge)
    return "sbrk failed";
  /* 256 bytes of the buffer are the caller's, the rest lies above the break. */
  int n = read(p[0], edge - 256, 300);
  if (n != -1 && (n < 0 || n > 256 || !matches(edge - 256, n, 1, 0)))
    return "the partly bad read returned a wrong count or wrong bytes";
  int delivered = n > 0 ? n : 0;
  int rest = drain(p[0], scratch, 300);
  if (delivered + rest != 300)
    return "bytes the read did not deliver left the pipe";
  if (!matches(scratch, rest, 1, delivered))
    return "the bytes after the partly bad read are not the ones that followed";
  return 0;
}

static const char *wait_bad_status(void) {
  int pid = fork();
  if (pid == 0)
    exit(7);
  if (pid < 0)
    return "fork failed";
  sleep(2);
  if (wait((int *)unmapped()) != -1)
    return "wait with a bad status pointer did not return -1";
  int status = 0;
  int got = wait(&status);
  if (got != pid)
    return "the child was reaped by the failed wait";
  if (status != 7)
    return "the child's status was lost";
  return 0;
}

/* The number of entries in ".", read one at a time. */
static int count_entries(void) {
  int fd = open(".", O_RDONLY), n = 0;
  struct dirent d;
  while (read(fd, &d, sizeof d) == sizeof d)
    n++;
  close(fd);
  return n;
}

static const char *directory_read_bad_buffer(void) {
  int all = count_entries();
  if (all < 3)
    return "fewer than 3 entries in .";
  int fd = open(".", O_RDONLY);
  if (fd < 0)
    return "cannot open .";
  if (read(fd, unmapped(), 32) != -1)
    return "a directory read into the hole above the heap did not return -1";
  char *edge = heap_edge();
  if (!edge)
    return "sbrk failed";
  /* Room for one entry, and the second runs over the break. */
  int n = read(fd, edge - 16, 32);
  if (n != -1 && n != 16)
    return "a partly bad directory read returned neither -1 nor one entry";
  int seen = n == 16 ? 1 : 0;
  struct dirent d;
  while (read(fd, &d, sizeof d) == sizeof d)
    seen++;
  close(fd);
  if (seen != all)
    return "entries were skipped: the offset moved past entries never delivered";
  return 0;
}

static const char *file_read_bad_buffer(void) {
  int fd = open("attack", O_RDONLY);
  if (fd < 0)
    return "cannot open attack";
  if (read(fd, unmapped(), 16) != -1)
    return "a file read into the hole above the heap did not return -1";
  char head[4];
  if (read(fd, head, 4) != 4 || head[0] != 0x7f || head[1] != 'E')
    return "the failed read moved the file offset";
  close(fd);
  return 0;
}

static const char *bad_pointer_leaves_no_descriptor(void) {
  int probe = dup(0);
  if (probe < 0)
    return "dup failed";
  close(probe);
  if (pipe((int *)unmapped()) != -1)
    return "pipe with a bad pointer did not return -1";
  if (fstat(0, (struct stat *)unmapped()) != -1)
    return "fstat with a bad pointer did not return -1";
  int again = dup(0);
  close(again);
  if (again != probe)
    return "the failed pipe left descriptors open";
  return 0;
}

/* ---- no sleeper is left asleep when its condition came true ---- */

static const char *partial_pipe_write_wakes_reader(void) {
  int p[2];
  if (pipe(p) < 0)
    return "pipe failed";
  int reader = fork();
  if (reader == 0) {
    char buf[16];
    close(p[1]);
    exit(read(p[0], buf, sizeof buf) > 0 ? 0 : 1);
  }
  if (reader < 0)
    return "fork failed";
  close(p[0]);
  sleep(5); /* the reader is asleep on the empty pipe by now */
  char *edge = heap_edge();
  if (!edge)
    return "sbrk failed";
  /* The first 256 bytes go in, then the source runs over the break. */
  int n = write(p[1], edge - 256, 512);
  if (n != 256 && n != -1)
    return "the partial write returned a wrong count";
  int status = wait_for(reader, PATIENCE_TICKS);
  close(p[1]);
  if (n == 256 && status == -1)
    return "the reader slept on with bytes in the pipe";
  if (n == 256 && status != 0)
    return "the reader found nothing";
  return 0;
}

static const char *partly_bad_pipe_read_wakes_writer(void) {
  int p[2];
  if (pipe(p) < 0)
    return "pipe failed";
  int total = PIPE_CAPACITY + 100;
  pattern(scratch, total, 3);
  int writer = fork();
  if (writer == 0) {
    close(p[0]);
    exit(write(p[1], scratch, total) == total ? 0 : 1);
  }
  if (writer < 0)
    return "fork failed";
  close(p[1]);
  sleep(5); /* the pipe is full and the writer asleep by now */
  char *edge = heap_edge();
  if (!edge)
    return "sbrk failed";
  int n = read(p[0], edge - 256, PIPE_CAPACITY);
  if (n != -1 && (n < 0 || n > 256 || !matches(edge - 256, n, 3, 0)))
    return "the partly bad read returned a wrong count or wrong bytes";
  int delivered = n > 0 ? n : 0;
  static char rest[2 * PIPE_CAPACITY];
  int got = 0;
  if (delivered == 0) {
    /* Nothing left the pipe; a good read makes the room instead. */
    got = read(p[0], rest, 256);
    if (got != 256)
      return "the read after the failed one did not get 256 bytes";
  }
  /* Room was made: the writer must finish without another read. */
  int status = wait_for(writer, PATIENCE_TICKS);
  if (status == -1)
    return "the writer slept on with room in the pipe";
  if (status != 0)
    return "the writer's write came back short";
  got += drain(p[0], rest + got, total - got);
  close(p[0]);
  while (wait(0) >= 0)
    ;
  if (delivered + got != total || !matches(rest, got, 3, delivered))
    return "bytes were lost or changed";
  return 0;
}

/* ---- one process cannot hold the machine ---- */

/* Carriage returns: they move nothing on a terminal and vanish from logs. */
#define FLOOD_BYTES (4 * 1024 * 1024)

static const char *console_flood_lets_others_run(void) {
  int ready[2];
  if (pipe(ready) < 0)
    return "pipe failed";
  int flooder = fork();
  if (flooder == 0) {
    char *buf = sbrk(FLOOD_BYTES);
    if (buf == (char *)-1)
      exit(2);
    memset(buf, '\r', FLOOD_BYTES);
    write(ready[1], "go", 1);
    write(1, buf, FLOOD_BYTES);
    exit(0);
  }
  if (flooder < 0)
    return "fork failed";
  close(ready[1]);
  char go;
  if (read(ready[0], &go, 1) != 1)
    return "the flooder did not start";
  /* While it writes, this process must get the CPU back after 2 ticks. */
  int start = uptime();
  sleep(2);
  int slept = uptime() - start;
  int refused = kill(flooder);
  int status = wait_for(flooder, PATIENCE_TICKS);
  if (status == 2)
    return "sbrk failed";
  if (refused != 0 || status != -1) {
    printf("attack: the flood ended before this process ran again (slept %d ticks)\n", slept);
    return "one console write held the machine";
  }
  return 0;
}

/* A process killed while it runs (on another CPU when there are several:
   this process runs too) dies at its next exit from the kernel; it makes no
   system call, so only the kill's interrupt or a tick brings it there. */
static const char *kill_while_running(void) {
  int ready[2];
  if (pipe(ready) < 0)
    return "pipe failed";
  int spinner = fork();
  if (spinner == 0) {
    close(ready[0]);
    write(ready[1], "go", 1);
    for (volatile unsigned long n = 0;; n++)
      ;
  }
  if (spinner < 0)
    return "fork failed";
  close(ready[1]);
  char go;
  int started = read(ready[0], &go, 1) == 1;
  close(ready[0]);
  if (!started) {
    kill(spinner);
    wait_for(spinner, PATIENCE_TICKS);
    return "the spinner did not start";
  }
  if (kill(spinner) != 0)
    return "kill of a running process was refused";
  int start = uptime();
  int status = -2, got = wait(&status);
  if (got != spinner || status != -1) {
    printf("attack: wait gave pid %d status %d (spinner %d, %d CPUs)\n", got, status, spinner, cpucount());
    return "the killed process did not end with status -1";
  }
  if (uptime() - start > PATIENCE_TICKS)
    return "the killed process ran on too long";
  return 0;
}

/* ---- no program powers the machine off ---- */

static const char *halt_refused(void) {
  /* A status that fails a check run if the kernel obeys. */
  if (halt(3) != -1)
    return "halt did not return -1";
  return 0;
}

struct attack_case {
  const char *key; /* for the command line */
  const char *name;
  const char *(*run)(void);
};

static const struct attack_case cases[] = {
    {"pipe-read", "pipe read into a bad buffer", pipe_read_bad_buffer},
    {"pipe-read-partly", "partly bad pipe read", pipe_read_partly_bad},
    {"wait", "wait with a bad status pointer", wait_bad_status},
    {"dir-read", "directory read into a bad buffer", directory_read_bad_buffer},
    {"file-read", "file read into a bad buffer", file_read_bad_buffer},
    {"descriptors", "bad pointers leave no descriptor", bad_pointer_leaves_no_descriptor},
    {"wake-reader", "partial pipe write wakes the reader", partial_pipe_write_wakes_reader},
    {"wake-writer", "partly bad pipe read wakes the writer", partly_bad_pipe_read_wakes_writer},
    {"console-flood", "console flood lets others run", console_flood_lets_others_run},
    {"kill-running", "a process killed while it runs dies", kill_while_running},
    {"halt", "halt is refused", halt_refused},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static void run(const struct attack_case *c) {
  int pid = fork();
  if (pid == 0) {
    const char *why = c->run();
    if (why) {
      printf("attack: %s: FAILED (%s)\n", c->name, why);
      exit(1);
    }
    exit(0);
  }
  /* A case that hangs (a lost wake-up) is killed and fails. */
  int status = pid > 0 ? wait_for(pid, CASE_TICKS) : -2;
  if (status == 0) {
    printf("attack: %s: ok\n", c->name);
    passed++;
  } else {
    if (status == -1)
      printf("attack: %s: FAILED (killed: it hung for %d ticks, or faulted)\n", c->name, CASE_TICKS);
    else if (status != 1)
      printf("attack: %s: FAILED (the case's process ended with status %d)\n", c->name, status);
    failed++;
  }
}

int main(int argc, char *argv[]) {
  for (int i = 0; i < NCASES; i++) {
    int wanted = argc < 2;
    for (int a = 1; a < argc; a++)
      if (strcmp(argv[a], cases[i].key) == 0)
        wanted = 1;
    if (wanted)
      run(&cases[i]);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
