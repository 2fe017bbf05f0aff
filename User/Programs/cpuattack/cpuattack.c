/* cpuattack: what a process tries with the processor itself to get out of
   user mode, or to see or disturb another process through processor state.
   Each case runs in a forked child. An attack must end with the kernel
   killing the child, and the kernel's one-line report must name the exact
   fault and address: the child prints the line it expects first,
     cpuattack: expect: pid 7 (cpuattack): general protection at 0x40_1234 pc 0x40_1234 [
   and Tools/check-kill-reports.py holds the check log to it (the next
   report line must start with that text, or with the alternative after
   " || " where QEMU is known to fault differently from the processor
   manuals; cpuattack.h). Other cases check processor
   state the process can see, in the child, and exit 0 when it holds.
   The cases of this architecture are in cases.c and attacks.S under
   User/Programs/cpuattack/<arch>/. */
#include "user.h"
#include "cpuattack.h"

static int passed;
static int failed;

/* "0x" and lowercase hex digits, "_" between groups of four from the right:
   how the kernel writes addresses. */
void format_address(char *out, uint64 value) {
  char digits[16];
  int count = 0;
  do {
    int digit = value & 0xf;
    digits[count++] = digit < 10 ? '0' + digit : 'a' + digit - 10;
    value >>= 4;
  } while (value != 0);
  *out++ = '0';
  *out++ = 'x';
  for (int i = count - 1; i >= 0; i--) {
    *out++ = digits[i];
    if (i > 0 && i % 4 == 0) *out++ = '_';
  }
  *out = 0;
}

/* In the child, just before the attack: the report the kernel must print. */
static void expect_kill(const struct attack *a) {
  char address[24], pc[24];
  format_address(address, a->address());
  format_address(pc, a->pc());
  printf("cpuattack: expect: pid %d (cpuattack): %s at %s pc %s [", getpid(), a->kind(), address, pc);
  if (a->emulated) {
    char other[96];
    a->emulated(other);
    printf(" || pid %d (cpuattack): %s", getpid(), other);
  }
  printf("\n");
}

static void run(const struct attack *a) {
  int pid = fork();
  if (pid < 0) {
    printf("cpuattack: %s: FAILED (fork failed)\n", a->name);
    failed++;
    return;
  }
  if (pid == 0) {
    if (a->kind) expect_kill(a);
    exit(a->run());
  }
  int status = 0;
  int child;
  while ((child = wait(&status)) >= 0 && child != pid) {
  }
  if (child != pid) {
    printf("cpuattack: %s: FAILED (wait did not return the child)\n", a->name);
    failed++;
  } else if (a->kind && status == -1) {
    printf("cpuattack: %s: killed\n", a->name);
    passed++;
  } else if (a->kind) {
    printf("cpuattack: %s: FAILED (not killed: exit status %d)\n", a->name, status);
    failed++;
  } else if (status == 0) {
    printf("cpuattack: %s: ok\n", a->name);
    passed++;
  } else {
    printf("cpuattack: %s: FAILED (%s)\n", a->name, status == -1 ? "killed" : "the state did not hold");
    failed++;
  }
}

/* `cpuattack spin [TICKS]`: stays in user mode, computing, for TICKS timer
   ticks (default 1000), then exits 0. The x86-64 shell transcript runs it
   in the background while QEMU's monitor injects an NMI (which must leave
   it running) and machine checks (which must kill it, or stop the kernel
   with a message that says why). */
static int spin(int ticks) {
  int start = uptime();
  volatile uint64 work = 0;
  /* The line the transcript waits for: from here on the process is in
     user mode but for a system call every few tens of millions of steps. */
  printf("cpuattack: spinning in user mode\n");
  while (uptime() - start < ticks)
    for (int i = 0; i < 20000000; i++) work += i;
  return 0;
}

int main(int argc, char *argv[]) {
  if (argc > 1 && strcmp(argv[1], "spin") == 0) return spin(argc > 2 ? atoi(argv[2]) : 1000);
  for (int i = 0; i < attack_count; i++) {
    /* `cpuattack NAME` runs one case. */
    if (argc > 1 && strcmp(argv[1], attacks[i].name) != 0) continue;
    run(&attacks[i]);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
