/* Swiftlet's system calls on Linux x86-64, for host tests only: the user
   programs are linked with this file instead of User/Arch/x86_64/syscall.S
   and run as ordinary Linux processes. Each call keeps the xv6 meaning
   (-1 on any error, wait's status -1 for a process killed by a signal,
   open's flag values, struct stat, directory reads as 16-byte dirents). */
#include "user.h"

static long sys(long n, long a, long b, long c, long d) {
  long r;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return r;
}
static int ok(long r) { return r < 0 ? -1 : (int)r; }

enum { L_READ = 0, L_WRITE = 1, L_CLOSE = 3, L_FSTAT = 5, L_LSEEK = 8, L_BRK = 12, L_PIPE = 22, L_DUP = 32,
       L_NANOSLEEP = 35, L_GETPID = 39, L_FORK = 57, L_EXECVE = 59, L_WAIT4 = 61, L_KILL = 62,
       L_CHDIR = 80, L_MKDIR = 83, L_RMDIR = 84, L_LINK = 86, L_UNLINK = 87, L_MKNOD = 133, L_GETDENTS64 = 217,
       L_CLOCK_GETTIME = 228, L_EXIT_GROUP = 231, L_OPEN = 2 };

/* waitinfo's fault report. A forked child catches its own fatal signals on
   an alternate stack (a stack overflow leaves none), writes what Linux says
   about the fault (kind from the page-fault error code, address, pc) to the
   file .fault-PID, and dies of the signal; its parent's waitinfo reads the
   file. Linux's siginfo_t has si_addr at 16; its ucontext_t has the
   registers at 40: REG_RIP 16, REG_ERR 19, REG_TRAPNO 20. */
enum { L_RT_SIGACTION = 13, L_SIGALTSTACK = 131, L_SIGILL = 4, L_SIGTRAP = 5, L_SIGBUS = 7, L_SIGSEGV = 11 };

static int fault_file(int pid, int flags) {
  char name[32] = ".fault-";
  int i = 7, digits = 0;
  for (int p = pid; p > 0; p /= 10)
    digits++;
  for (int d = digits - 1, p = pid; d >= 0; d--, p /= 10)
    name[i + d] = (char)('0' + p % 10);
  name[i + digits] = 0;
  if (flags < 0)
    return ok(sys(L_UNLINK, (long)name, 0, 0, 0));
  return ok(sys(L_OPEN, (long)name, flags, 0644, 0));
}

static void on_fatal_signal(int sig, void *info, void *context) {
  unsigned long *registers = (unsigned long *)((char *)context + 40);
  unsigned long error = registers[19], trap = registers[20];
  uint64 record[3];
  record[0] = sig == L_SIGILL ? END_ILLEGALINSTRUCTION : sig == L_SIGTRAP ? END_BREAKPOINT
            : trap != 14 ? END_EXCEPTION : (error & 16) ? END_EXECUTEFAULT : (error & 2) ? END_WRITEFAULT : END_READFAULT;
  record[1] = *(uint64 *)((char *)info + 16);
  record[2] = registers[16];
  int pid = (int)sys(L_GETPID, 0, 0, 0, 0);
  int fd = fault_file(pid, 01 | 0100 | 01000);
  if (fd >= 0) {
    sys(L_WRITE, fd, (long)record, sizeof record, 0);
    sys(L_CLOSE, fd, 0, 0, 0);
  }
  long dfl[4] = {0, 0, 0, 0};
  sys(L_RT_SIGACTION, sig, (long)dfl, 0, 8);
  sys(L_KILL, pid, sig, 0, 0); /* not blocked (SA_NODEFER): the default action ends the process here */
}

static void report_faults(void) {
  static char alternate[16384];
  struct { void *sp; int flags; unsigned long size; } stack = {alternate, 0, sizeof alternate};
  sys(L_SIGALTSTACK, (long)&stack, 0, 0, 0);
  /* SA_SIGINFO | SA_RESTORER | SA_ONSTACK | SA_NODEFER; x86-64 Linux wants a
     restorer, which is never reached: the handler does not return. */
  long action[4] = {(long)on_fatal_signal, 4 | 0x04000000 | 0x08000000 | 0x40000000, (long)on_fatal_signal, 0};
  int signals[] = {L_SIGILL, L_SIGTRAP, L_SIGBUS, L_SIGSEGV};
  for (int i = 0; i < 4; i++)
    sys(L_RT_SIGACTION, signals[i], (long)action, 0, 8);
}

int fork(void) {
  int pid = ok(sys(L_FORK, 0, 0, 0, 0));
  if (pid == 0)
    report_faults();
  return pid;
}

int waitinfo(struct exitinfo *info) {
  int ls = 0;
  long r = sys(L_WAIT4, -1, (long)&ls, 0, 0);
  if (r < 0)
    return -1;
  info->pid = (int)r;
  info->detail = 0;
  info->address = info->pc = 0;
  if ((ls & 0x7f) == 0) {
    info->status = (int)(signed char)((ls >> 8) & 0xff);
    info->cause = END_EXITED;
    return (int)r;
  }
  info->status = -1;
  info->cause = END_KILLED;
  int fd = fault_file((int)r, 0);
  if (fd >= 0) {
    uint64 record[3];
    if (sys(L_READ, fd, (long)record, sizeof record, 0) == sizeof record) {
      info->cause = (uint32)record[0];
      info->address = record[1];
      info->pc = record[2];
    }
    sys(L_CLOSE, fd, 0, 0, 0);
    fault_file((int)r, -1);
  }
  return (int)r;
}
int exit(int status) {
  for (;;)
    sys(L_EXIT_GROUP, status, 0, 0, 0);
}
int wait(int *status) {
  int ls = 0;
  long r = sys(L_WAIT4, -1, (long)&ls, 0, 0);
  if (r < 0)
    return -1;
  if (status != 0)
    *status = (ls & 0x7f) == 0 ? (int)(signed char)((ls >> 8) & 0xff) : -1;
  return (int)r;
}
int pipe(int *fds) { return ok(sys(L_PIPE, (long)fds, 0, 0, 0)); }
int kill(int pid) { return ok(sys(L_KILL, pid, 9, 0, 0)); }
int exec(const char *path, char **argv) {
  static char *envp[] = {0};
  return ok(sys(L_EXECVE, (long)path, (long)argv, (long)envp, 0));
}
int chdir(const char *path) { return ok(sys(L_CHDIR, (long)path, 0, 0, 0)); }
int dup(int fd) { return ok(sys(L_DUP, fd, 0, 0, 0)); }
int getpid(void) { return ok(sys(L_GETPID, 0, 0, 0, 0)); }
int close(int fd) { return ok(sys(L_CLOSE, fd, 0, 0, 0)); }
int write(int fd, const void *buf, int n) { return ok(sys(L_WRITE, fd, (long)buf, n, 0)); }
int mknod(const char *path, short major, short minor) { return ok(sys(L_MKNOD, (long)path, 0020666, (major << 8) | minor, 0)); }
/* xv6's unlink also removes an empty directory: Linux says EISDIR (21). */
int unlink(const char *path) {
  long r = sys(L_UNLINK, (long)path, 0, 0, 0);
  return ok(r == -21 ? sys(L_RMDIR, (long)path, 0, 0, 0) : r);
}
int link(const char *a, const char *b) { return ok(sys(L_LINK, (long)a, (long)b, 0, 0)); }
int mkdir(const char *path) { return ok(sys(L_MKDIR, (long)path, 0755, 0, 0)); }

int open(const char *path, int flags) {
  int lflags = flags & 3;
  if (flags & O_CREATE)
    lflags |= 0100;
  if (flags & O_TRUNC)
    lflags |= 01000;
  return ok(sys(L_OPEN, (long)path, lflags, 0644, 0));
}

/* Linux's struct stat (x86-64): st_ino at 8, st_nlink at 16, st_mode at 24, st_size at 48. */
int fstat(int fd, struct stat *st) {
  unsigned char ls[144];
  if (sys(L_FSTAT, fd, (long)ls, 0, 0) < 0)
    return -1;
  unsigned mode = *(unsigned *)(ls + 24);
  st->dev = 1;
  st->ino = (uint) * (unsigned long *)(ls + 8);
  st->type = (mode & 0170000) == 0040000 ? T_DIR : (mode & 0170000) == 0100000 ? T_FILE : T_DEVICE;
  st->nlink = (short)*(unsigned long *)(ls + 16);
  st->size = *(unsigned long *)(ls + 48);
  return 0;
}

/* A directory reads as whole 16-byte dirents, as on Swiftlet. */
static int read_directory(int fd, char *buf, int n) {
  char ents[4096];
  int done = 0;
  while (done + 16 <= n) {
    long got = sys(L_GETDENTS64, fd, (long)ents, sizeof ents, 0);
    if (got <= 0)
      return got < 0 && done == 0 ? -1 : done;
    long off = 0, last = -1;
    while (off < got && done + 16 <= n) {
      unsigned long ino = *(unsigned long *)(ents + off);
      long next = *(long *)(ents + off + 8);
      unsigned short reclen = *(unsigned short *)(ents + off + 16);
      const char *name = ents + off + 19;
      char *d = buf + done;
      *(ushort *)d = (ushort)(ino == 0 ? 1 : ino);
      int i = 0;
      for (; i < DIRSIZ && name[i] != 0; i++)
        d[2 + i] = name[i];
      for (; i < DIRSIZ; i++)
        d[2 + i] = 0;
      done += 16;
      last = next;
      off += reclen;
    }
    if (off < got) { /* did not take them all: continue after the last one taken */
      sys(L_LSEEK, fd, last, 0, 0);
      break;
    }
  }
  return done;
}

int read(int fd, void *buf, int n) {
  struct stat st;
  if (fstat(fd, &st) == 0 && st.type == T_DIR)
    return read_directory(fd, buf, n);
  return ok(sys(L_READ, fd, (long)buf, n, 0));
}

char *sbrk(int n) {
  static long current;
  if (current == 0)
    current = sys(L_BRK, 0, 0, 0, 0);
  long old = current;
  if (n == 0)
    return (char *)old;
  long now = sys(L_BRK, old + n, 0, 0, 0);
  if (now != old + n)
    return (char *)-1;
  current = now;
  return (char *)old;
}

int sleep(int ticks) {
  long ts[2] = {ticks / 100, (ticks % 100) * 10000000L};
  return ok(sys(L_NANOSLEEP, (long)ts, 0, 0, 0));
}
int uptime(void) {
  long ts[2];
  sys(L_CLOCK_GETTIME, 1, (long)ts, 0, 0);
  return (int)(ts[0] * 100 + ts[1] / 10000000L);
}

/* Swiftlet's own calls, as far as Linux can answer them. */
long freeframes(void) { return 1000; }
long kheap(void) { return 0; }
long idlecount(void) { return 0; }
int cpucount(void) { return 1; }
int halt(int status) { return exit(status); }

/* The regions from /proc/self/maps. */
int memmap(struct memregion *out, int max) {
  static char text[16384];
  int fd = open("/proc/self/maps", O_RDONLY);
  if (fd < 0)
    return -1;
  int len = 0, r;
  while (len < (int)sizeof text - 1 && (r = read(fd, text + len, (int)sizeof text - 1 - len)) > 0)
    len += r;
  close(fd);
  text[len] = 0;
  int count = 0;
  char *p = text;
  while (*p && count < max) {
    struct memregion *m = &out[count];
    uint64 v = 0;
    while (*p != '-') { v = v * 16 + (*p <= '9' ? *p - '0' : *p - 'a' + 10); p++; }
    m->start = v; v = 0; p++;
    while (*p != ' ') { v = v * 16 + (*p <= '9' ? *p - '0' : *p - 'a' + 10); p++; }
    m->end = v; p++;
    m->perms = (p[0] == 'r' ? MR_READ : 0) | (p[1] == 'w' ? MR_WRITE : 0) | (p[2] == 'x' ? MR_EXEC : 0) | MR_USER;
    m->flags = p[0] == '-' && p[1] == '-' && p[2] == '-' ? MR_GUARD : 0;
    for (int field = 0; field < 4 && *p && *p != '\n'; field++) { /* perms offset dev inode, then the name */
      while (*p && *p != ' ' && *p != '\n') p++;
      while (*p == ' ') p++;
    }
    int i = 0;
    while (*p && *p != '\n') {
      if (i < 47)
        m->name[i++] = *p;
      p++;
    }
    m->name[i] = 0;
    m->state = 0; /* /proc/self/maps does not say which pages are shared or lazy */
    m->users = 0;
    if (*p == '\n') p++;
    count++;
  }
  return count;
}

/* Raw calls, for memtest's out-of-range arguments: the few it makes. */
long usyscall(long number, long a0, long a1, long a2, long a3, long a4, long a5) {
  long linux_number;
  switch (number) {
  case 4: linux_number = L_PIPE; break;
  case 5: linux_number = L_READ; break;
  case 7: linux_number = L_EXECVE; break;
  case 16: linux_number = L_WRITE; break;
  default: return -1;
  }
  return sys(linux_number, a0, a1, a2, a3) < 0 ? -1 : 0;
}
