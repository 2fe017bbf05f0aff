/* execmany: several processes exec programs from the disk at once.

     execmany                  the test (rounds of concurrent execs)
     execmany child K WORD...  what each exec runs: checks that its arguments
                               are the ones its parent passed (K, then words
                               made from K) and exits with K

   exec sleeps while it reads the program from the disk, and another process
   may then call exec too: the kernel keeps exec's buffers (arguments, path,
   load plan) and the stack it runs on for one process at a time. Each round
   starts CHILDREN processes that exec this program with arguments of their
   own, and READERS processes that read large files meanwhile, so that the
   buffer cache does not hold the programs and exec waits for the disk. A
   mix-up shows as a child with someone else's arguments (it exits with 100),
   a wrong process name, or a failed exec. Prints "N passed, M failed". */
#include "user.h"

#define ROUNDS 6
#define CHILDREN 8
#define WORDS 5
#define READERS 2

static int passed, failed;

static void report(const char *what, int ok) {
  printf("execmany: %s: %s\n", what, ok ? "ok" : "FAILED");
  if (ok)
    passed++;
  else
    failed++;
}

/* Word `w` of child `k`: distinct per child and per word, up to 40 bytes. */
static void make_word(char *out, int k, int w) {
  int length = 8 + (k * 7 + w * 5) % 32;
  for (int i = 0; i < length; i++)
    out[i] = 'a' + (k * 3 + w * 11 + i) % 26;
  out[length] = 0;
}

static int child(int argc, char **argv) {
  if (argc != 3 + WORDS)
    return 100;
  int k = atoi(argv[2]);
  char expected[48];
  for (int w = 0; w < WORDS; w++) {
    make_word(expected, k, w);
    if (strcmp(argv[3 + w], expected) != 0)
      return 100;
  }
  return k;
}

/* Reads the large files on the disk, to push the programs out of the cache. */
static void reader(void) {
  static char buffer[1024];
  const char *files[] = {"memtest", "sysfuzz", "fstest", "sh", "exhaust", "cpuattack"};
  for (int pass = 0; pass < 3; pass++) {
    for (int f = 0; f < (int)(sizeof files / sizeof files[0]); f++) {
      int fd = open(files[f], O_RDONLY);
      if (fd < 0)
        continue;
      while (read(fd, buffer, sizeof buffer) > 0) {
      }
      close(fd);
    }
  }
  exit(0);
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "child") == 0)
    exit(child(argc, argv));

  int all_started = 1, all_right = 1, none_mixed = 1;
  static char words[CHILDREN][WORDS][48];
  static char numbers[CHILDREN][4];
  for (int round = 0; round < ROUNDS; round++) {
    int pids[CHILDREN];
    for (int r = 0; r < READERS; r++) {
      int pid = fork();
      if (pid == 0)
        reader();
    }
    for (int k = 1; k <= CHILDREN; k++) {
      char *args[3 + WORDS + 1];
      numbers[k - 1][0] = '0' + k;
      numbers[k - 1][1] = 0;
      args[0] = "execmany";
      args[1] = "child";
      args[2] = numbers[k - 1];
      for (int w = 0; w < WORDS; w++) {
        make_word(words[k - 1][w], k, w);
        args[3 + w] = words[k - 1][w];
      }
      args[3 + WORDS] = 0;
      int pid = fork();
      if (pid == 0) {
        exec("execmany", args);
        exit(101);
      }
      pids[k - 1] = pid;
      if (pid < 0)
        all_started = 0;
    }
    /* Every exec'd child exits with its own number; readers with 0. */
    for (int n = 0; n < CHILDREN + READERS; n++) {
      int status = -1;
      int pid = wait(&status);
      if (pid < 0) {
        all_started = 0;
        break;
      }
      for (int k = 1; k <= CHILDREN; k++) {
        if (pids[k - 1] != pid)
          continue;
        if (status == 100)
          none_mixed = 0;
        if (status != k) {
          all_right = 0;
          printf("execmany: round %d: child %d exited with %d\n", round, k, status);
        }
      }
    }
  }
  report("every fork succeeded and every child was reaped", all_started);
  report("no child saw another exec's arguments", none_mixed);
  report("every exec ran the program with its arguments (status = its number)", all_right);
  printf("%d passed, %d failed\n", passed, failed);
  exit(failed == 0 ? 0 : 1);
}
