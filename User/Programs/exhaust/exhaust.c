/* exhaust: runs every limit a program can reach into the ground and checks
   that the kernel answers -1, stays usable, and gets everything back:

     the process table   fork until -1
     memory              sbrk until -1; fork and exec must then fail too
     copy-on-write       a write to a page shared with fork, with no frame
                         left for the copy, kills the writer alone
     a pipe's buffer     a writer blocks when it is full (a child, killed after a while)
     descriptors         open until -1: 16 per process
     open files          open in several processes until -1: 64 system-wide
     pipes               pipe() in several processes until -1: 16 pipes, each
                         with 512 bytes of kernel heap

   After each test the free-frame count and the kernel-heap bytes must be
   back at their values from before it, and at the end fork+exec of a
   program must still work. One line per check, then "N passed, M failed";
   exit status 0 only if nothing failed. */
#include "user.h"

#define FORK_LIMIT 1000
#define NFD 16
#define PIPE_CAPACITY 512
#define ELFBASE_STATUS 42

static int passed, failed;

static void check(int ok, const char *what) {
  printf("exhaust: %s: %s\n", what, ok ? "ok" : "FAILED");
  if (ok)
    passed++;
  else
    failed++;
}

/* Frames and heap bytes must come back after every test. */
static long frames_mark, heap_mark;

static void mark(void) {
  frames_mark = freeframes();
  heap_mark = kheap();
}

static void check_back(const char *test) {
  long frames = freeframes(), heap = kheap();
  /* Orphans are reaped by init, a moment later. */
  for (int i = 0; i < 100 && (frames != frames_mark || heap != heap_mark); i++) {
    sleep(1);
    frames = freeframes();
    heap = kheap();
  }
  printf("exhaust: %s: free frames %ld -> %ld, kernel heap %ld -> %ld bytes\n", test, frames_mark, frames,
         heap_mark, heap);
  check(frames == frames_mark && heap == heap_mark, "everything given back");
}

/* How many descriptors are open now (dup fails only for a bad fd, and for a full table). */
static int open_descriptors(void) {
  int n = 0;
  for (int fd = 0; fd < NFD; fd++) {
    int d = dup(fd);
    if (d >= 0) {
      close(d);
      n++;
    } else {
      struct stat st;
      if (fstat(fd, &st) == 0)
        n++;
    }
  }
  return n;
}

static int reap_all(int *killed) {
  int n = 0, status;
  if (killed)
    *killed = 0;
  while (wait(&status) >= 0) {
    n++;
    if (killed && status == -1)
      (*killed)++;
  }
  return n;
}

/* ---- the process table ---- */
static void fork_until_full(void) {
  int gate[2], ready[2];
  mark();
  if (pipe(gate) < 0 || pipe(ready) < 0) {
    check(0, "fork: pipes for the gate");
    return;
  }
  int children = 0;
  while (children < FORK_LIMIT) {
    int pid = fork();
    if (pid < 0)
      break;
    if (pid == 0) {
      char byte = 1;
      close(gate[1]);
      write(ready[1], &byte, 1);
      read(gate[0], &byte, 1); /* blocks until the parent closes its end */
      exit(0);
    }
    children++;
  }
  /* Full: more forks keep failing and take nothing with them. The pages
     are shared copy-on-write: wait until every child has written its own
     stack (it says so on `ready`), and fork once in vain so that this
     process's writes have made its pages its own, before counting. */
  for (int i = 0; i < children; i++) {
    char byte;
    read(ready[0], &byte, 1);
  }
  close(ready[0]);
  close(ready[1]);
  int warm = fork();
  if (warm == 0)
    exit(0);
  long frames = freeframes();
  int again = fork();
  if (again == 0)
    exit(0);
  int again2 = fork();
  if (again2 == 0)
    exit(0);
  long frames_after = freeframes();
  close(gate[0]);
  close(gate[1]);
  int killed;
  int reaped = reap_all(&killed);
  printf("exhaust: fork: %d children, then -1; %d reaped\n", children, reaped);
  check(children > 0 && children < FORK_LIMIT, "fork returns -1 when the process table is full");
  check(warm < 0 && again < 0 && again2 < 0 && frames_after == frames, "failed forks leave no frames behind");
  check(reaped == children && killed == 0, "every child exits and is reaped");
  check_back("fork");
}

/* ---- memory ---- */
/* Grows the heap until sbrk fails, touching every page so that each takes
   its frame (the heap is lazy); returns the bytes grown. */
static long take_all_frames(void) {
  long grown = 0;
  long steps[3] = {1 << 20, 64 << 10, 4 << 10};
  for (int s = 0; s < 3; s++) {
    for (;;) {
      char *old = sbrk((int)steps[s]);
      if (old == (char *)-1)
        break;
      for (long offset = 0; offset < steps[s]; offset += 4096)
        old[offset] = 1;
      grown += steps[s];
    }
  }
  return grown;
}

/* In a child: grows the heap until sbrk fails, checks that fork and exec
   fail too while memory is gone, then gives it all back. Exit status: 0
   if all went well, else the number of the step that did not. */
static int sbrk_child(void) {
  long start_frames = freeframes();
  char *start = sbrk(0);
  long grown = take_all_frames();
  long left = freeframes();
  char *top = sbrk(0);
  printf("exhaust: sbrk: grew %ld KiB until -1, %ld frames left\n", grown / 1024, left);
  if (grown < (start_frames / 2) * 4096L || top != start + grown)
    return 1;
  /* Nothing else can have memory now: fork and exec must fail, and the caller survives. */
  int pid = fork();
  if (pid == 0)
    exit(0);
  if (pid > 0) {
    wait(0);
    printf("exhaust: sbrk: fork succeeded with %ld frames left\n", left);
    return 2;
  }
  char *argv[] = {"elfbase", 0};
  if (exec("elfbase", argv) != -1)
    return 3;
  /* The kernel heap is separate: a pipe still works. */
  int p[2];
  if (pipe(p) < 0)
    return 4;
  close(p[0]);
  close(p[1]);
  if (freeframes() != left)
    return 5;
  /* Give it back. The page-table pages that mapped the heap stay with the
     process until it exits; a second round trip must take and return the
     same frames again, and nothing more. */
  long kept = 0;
  for (int round = 0; round < 2; round++) {
    if (round == 1 && sbrk((int)grown) == (char *)-1)
      return 6;
    if (sbrk((int)-grown) == (char *)-1 || sbrk(0) != start)
      return 7;
    if (round == 0)
      kept = start_frames - freeframes();
    else if (start_frames - freeframes() != kept)
      return 8;
  }
  printf("exhaust: sbrk: gave it back; %ld page-table pages stay until exit\n", kept);
  /* At most one table page per 2 MiB mapped (Sv39 and x86-64 alike), and a few above. */
  if (kept < 0 || kept > grown / (2L << 20) + 4)
    return 9;
  /* And memory works again. */
  pid = fork();
  if (pid < 0)
    return 10;
  if (pid == 0)
    exit(0);
  wait(0);
  return 0;
}

/* Runs `body` in a child and checks that it exits 0 (else it says at which
   step it failed), then that everything came back. */
static void in_child(int (*body)(void), const char *test, const char *what) {
  mark();
  int pid = fork();
  if (pid == 0)
    exit(body());
  int status = -2;
  if (pid > 0)
    wait(&status);
  if (status != 0)
    printf("exhaust: %s: the child failed at step %d\n", test, status);
  check(status == 0, what);
  check_back(test);
}

static void sbrk_until_empty(void) {
  in_child(sbrk_child, "sbrk", "sbrk returns -1 when memory runs out; fork and exec fail then; all of it comes back");
}

/* ---- a pipe's buffer ---- */
static void fill_pipe(void) {
  int p[2];
  mark();
  if (pipe(p) < 0) {
    check(0, "pipe: pipe");
    return;
  }
  int pid = fork();
  if (pid == 0) {
    close(p[0]);
    char byte = 'x';
    for (int i = 0; i < 2 * PIPE_CAPACITY; i++)
      if (write(p[1], &byte, 1) != 1)
        exit(2);
    exit(1); /* never blocked: wrong */
  }
  close(p[1]);
  /* The writer fills the pipe and blocks; it is killed while it waits. */
  sleep(20);
  kill(pid);
  int status = 0;
  wait(&status);
  static char buffer[2 * PIPE_CAPACITY];
  int got = 0, n;
  while ((n = read(p[0], buffer + got, sizeof buffer - got)) > 0)
    got += n;
  close(p[0]);
  printf("exhaust: pipe: the writer ended with status %d after %d bytes\n", status, got);
  check(status == -1, "a writer blocks on a full pipe (and can be killed there)");
  check(got == PIPE_CAPACITY, "the pipe held exactly its capacity, and reads reach end of file");
  /* Nobody reading: a write fails instead of blocking. */
  int q[2];
  char byte = 'y';
  int r = -2;
  if (pipe(q) == 0) {
    close(q[0]);
    r = write(q[1], &byte, 1);
    close(q[1]);
  }
  check(r == -1, "a write to a pipe without readers returns -1");
  check_back("pipe");
}

/* ---- descriptors ---- */
static void open_until_full(void) {
  mark();
  int before = open_descriptors();
  int opened = 0;
  static int fds[NFD];
  for (;;) {
    int fd = open("elfbase", O_RDONLY);
    if (fd < 0)
      break;
    if (opened < NFD)
      fds[opened] = fd;
    opened++;
    if (opened > 100)
      break;
  }
  int dup_full = dup(0);
  int p[2];
  int pipe_full = pipe(p);
  printf("exhaust: open: %d descriptors were open, %d more opened, then -1\n", before, opened);
  check(before + opened == NFD, "open returns -1 when the 16 descriptors are taken");
  check(dup_full == -1 && pipe_full == -1, "dup and pipe return -1 then as well");
  for (int i = 0; i < opened && i < NFD; i++)
    close(fds[i]);
  int fd = open("elfbase", O_RDONLY);
  check(fd >= 0, "a descriptor is free again after close");
  if (fd >= 0)
    close(fd);
  check_back("open");
}

enum { FILES, PIPES };

/* In a child: opens files or makes pipes until -1; returns how many (left open). */
static int take_all(int kind) {
  int n = 0, p[2];
  while (kind == FILES ? open("elfbase", O_RDONLY) >= 0 : pipe(p) == 0)
    n++;
  return n;
}

/* One more file or pipe, closed again at once; 1 if it could be had. */
static int try_one(int kind) {
  int p[2];
  if (kind == FILES) {
    int fd = open("elfbase", O_RDONLY);
    if (fd < 0)
      return 0;
    close(fd);
    return 1;
  }
  if (pipe(p) < 0)
    return 0;
  close(p[0]);
  close(p[1]);
  return 1;
}

/* Starts children that each take all they can (take_all), report their
   count through a pipe, and hold on until a gate closes. Stops at the
   first child that got fewer than its descriptors allow: something other
   than its descriptor table ran out. Then the parent, with descriptors to
   spare, must be refused as well. Returns the children's total, or -1 if
   the parent was not refused. */
static int hold_in_children(int kind, int per_child_limit, int *children, int *last, long *heap_held) {
  int gate[2], done[2];
  *children = 0;
  *last = -1;
  if (pipe(gate) < 0 || pipe(done) < 0)
    return -1;
  int total = 0;
  while (*children < 20) {
    int pid = fork();
    if (pid < 0)
      break;
    if (pid == 0) {
      close(gate[1]);
      close(done[0]);
      char n = (char)take_all(kind);
      write(done[1], &n, 1);
      char byte;
      read(gate[0], &byte, 1);
      exit(0);
    }
    (*children)++;
    char n = 0;
    if (read(done[0], &n, 1) != 1)
      break;
    total += n;
    *last = n;
    if (n < per_child_limit)
      break;
  }
  int refused = !try_one(kind);
  *heap_held = kheap();
  close(gate[0]);
  close(gate[1]);
  close(done[0]);
  close(done[1]);
  reap_all(0);
  return refused ? total : -1;
}

/* A child of hold_in_children has 0-2, the gate's read end and done's write end. */
#define CHILD_FREE_FDS (NFD - 5)

static void system_open_files(void) {
  mark();
  int children, last;
  long heap_held;
  int total = hold_in_children(FILES, CHILD_FREE_FDS, &children, &last, &heap_held);
  printf("exhaust: open files: %d children opened %d files, the last one %d of %d\n", children, total, last,
         CHILD_FREE_FDS);
  check(total > 0 && last >= 0 && last < CHILD_FREE_FDS,
        "open returns -1 when the system's 64 open files are taken (with descriptors free)");
  int fd = open("elfbase", O_RDONLY);
  check(fd >= 0, "open works again when they are closed");
  if (fd >= 0)
    close(fd);
  check_back("open files");
}

static void system_pipes(void) {
  mark();
  long heap_before = kheap();
  int children, last;
  long heap_held;
  int total = hold_in_children(PIPES, CHILD_FREE_FDS / 2, &children, &last, &heap_held);
  printf("exhaust: pipes: %d children made %d pipes, the last one %d of %d\n", children, total, last,
         CHILD_FREE_FDS / 2);
  check(total > 0 && last >= 0 && last < CHILD_FREE_FDS / 2,
        "pipe returns -1 when the pipe table or the kernel heap runs out (with descriptors free)");
  /* One pipe on its own: how much kernel heap it takes. */
  int p[2];
  long per_pipe = -1;
  if (pipe(p) == 0) {
    per_pipe = kheap() - heap_before;
    close(p[0]);
    close(p[1]);
  }
  /* The two pipes of hold_in_children plus the children's were in use at once. */
  printf("exhaust: pipes: %d pipes were open at once, holding %ld bytes of kernel heap; one takes %ld bytes\n",
         total + 2, heap_held - heap_before, per_pipe);
  check(per_pipe >= PIPE_CAPACITY, "a pipe takes its buffer from the kernel heap");
  check_back("pipes");
}

/* ---- copy-on-write with no frame left ---- */
#define SHARED_PAGES 8

/* In a child (the holder): shares SHARED_PAGES heap pages with its own
   child (the writer), then takes every free frame; the writer's write to a
   shared page finds no frame for its copy and must be killed, and the
   holder must keep its bytes. Exit status 0 if all went well, else the
   number of the step that did not. */
static int cow_holder(void) {
  char *shared = sbrk(SHARED_PAGES * 4096);
  if (shared == (char *)-1)
    return 1;
  for (int i = 0; i < SHARED_PAGES; i++)
    shared[i * 4096] = (char)(i + 1);
  int go[2], ready[2];
  if (pipe(go) < 0 || pipe(ready) < 0)
    return 2;
  int writer = fork();
  if (writer < 0)
    return 3;
  if (writer == 0) {
    volatile char byte = 1; /* the writer's stack is its own before memory runs out */
    write(ready[1], (char *)&byte, 1);
    if (read(go[0], (char *)&byte, 1) != 1)
      exit(4);
    shared[0] = 99; /* no frame for the copy: killed here */
    exit(5);
  }
  char byte;
  if (read(ready[0], &byte, 1) != 1)
    return 4;
  long grown = take_all_frames();
  /* sbrk counts the page-table pages a page could need, so a few frames may
     be left: this process copies shared pages of its own until none is. */
  long left = freeframes();
  if (left > SHARED_PAGES - 1)
    return 6;
  for (int i = 1; i <= left; i++)
    shared[i * 4096] = (char)(i + 1);
  if (freeframes() != 0)
    return 7;
  write(go[1], &byte, 1);
  int status = 0;
  if (wait(&status) != writer || status != -1)
    return 8;
  for (int i = 0; i < SHARED_PAGES; i++)
    if (shared[i * 4096] != (char)(i + 1))
      return 9;
  if (sbrk((int)-grown) == (char *)-1)
    return 10;
  return 0;
}

static void cow_write_when_exhausted(void) {
  in_child(cow_holder, "copy-on-write", "a write to a shared page with no frame left kills the writer alone");
}

/* ---- afterwards ---- */
static void still_usable(void) {
  int pid = fork();
  if (pid == 0) {
    char *argv[] = {"elfbase", 0};
    exec("elfbase", argv);
    exit(1);
  }
  int status = -2;
  if (pid > 0)
    wait(&status);
  check(pid > 0 && status == ELFBASE_STATUS, "fork and exec of a program work afterwards");
}

int main(void) {
  long frames_start = freeframes(), heap_start = kheap();
  printf("exhaust: free frames %ld, kernel heap %ld bytes in use\n", frames_start, heap_start);
  fork_until_full();
  sbrk_until_empty();
  cow_write_when_exhausted();
  fill_pipe();
  open_until_full();
  system_open_files();
  system_pipes();
  still_usable();
  frames_mark = frames_start;
  heap_mark = heap_start;
  check_back("exhaust");
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
