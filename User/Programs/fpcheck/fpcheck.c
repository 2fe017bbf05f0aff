/* fpcheck: floating point in user programs, built with the compiler's
   standard flags for each architecture (rv64gc with the lp64d ABI: double
   in f registers; x86-64 with SSE: double in xmm registers), unlike the
   other programs.

   Two children compute different series with double at the same time, each
   for several timer ticks, so that the timer switches between them many
   times in the middle of their loops; each checks every round against its
   own first round (bit for bit) and against the value the series tends to.
   A kernel that loses or mixes floating-point registers across switches
   makes one of them differ. One line per check, then "N passed, M failed";
   exit status 0 only if nothing failed. */
#include "user.h"

static int passed, failed;

static void check(int ok, const char *what) {
  printf("fpcheck: %s: %s\n", what, ok ? "ok" : "FAILED");
  if (ok)
    passed++;
  else
    failed++;
}

/* 1/1^2 + 1/2^2 + ... tends to pi^2/6. */
static double basel(long terms) {
  double sum = 0;
  for (long k = terms; k >= 1; k--)
    sum += 1.0 / ((double)k * (double)k);
  return sum;
}

/* 4 (1 - 1/3 + 1/5 - ...) tends to pi. */
static double leibniz(long terms) {
  double sum = 0, sign = 1;
  for (long k = 0; k < terms; k++) {
    sum += sign / (2.0 * (double)k + 1.0);
    sign = -sign;
  }
  return 4 * sum;
}

static double distance(double a, double b) { return a > b ? a - b : b - a; }

#define TERMS 200000
#define MIN_TICKS 20

/* In a child: computes one series round after round for at least MIN_TICKS
   ticks. Exit status 0 if every round agreed, 1 if a round differed, 2 if
   the value is wrong, 3 if the rounds were too few to have been switched. */
static int compute(int which) {
  double expected = which == 0 ? 3.14159265358979323846 * 3.14159265358979323846 / 6 : 3.14159265358979323846;
  double first = which == 0 ? basel(TERMS) : leibniz(TERMS);
  int start = uptime(), rounds = 1;
  while (uptime() - start < MIN_TICKS) {
    double again = which == 0 ? basel(TERMS) : leibniz(TERMS);
    if (again != first)
      return 1;
    rounds++;
  }
  /* The series' tails: about 1/TERMS for both. */
  if (distance(first, expected) > 2.0 / TERMS)
    return 2;
  return rounds >= 2 ? 0 : 3;
}

int main(void) {
  /* In this process first, alone: a double survives a system call. */
  volatile double x = 1.5;
  getpid();
  double y = x * 2.25;
  check(y == 3.375 && (long)(y * 1000) == 3375, "double arithmetic");

  double kept = y * 3; /* lives across the children's work */
  int pids[2];
  for (int which = 0; which < 2; which++) {
    pids[which] = fork();
    if (pids[which] == 0)
      exit(compute(which));
  }
  int status[2] = {-2, -2};
  for (int i = 0; i < 2; i++) {
    int s = -2;
    int pid = wait(&s);
    for (int which = 0; which < 2; which++)
      if (pid == pids[which])
        status[which] = s;
  }
  if (status[0] != 0 || status[1] != 0)
    printf("fpcheck: exit statuses %d and %d\n", status[0], status[1]);
  check(status[0] == 0, "sum of 1/k^2 in one process while another computes");
  check(status[1] == 0, "Leibniz series for pi in one process while another computes");
  /* The parent's own double is untouched by its children's work. */
  check(kept == 10.125 && x * 2 == 3.0, "the parent's own doubles after its children ran");
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
