/* forktest: forks until the process table is full, then reaps every child
   and checks that wait() then reports no children. Exit status 0 if all
   went as expected. */
#include "user.h"

#define LIMIT 1000

int main(void) {
  int n;
  printf("fork test\n");
  for (n = 0; n < LIMIT; n++) {
    int pid = fork();
    if (pid < 0)
      break;
    if (pid == 0)
      exit(0);
  }
  if (n == LIMIT) {
    printf("forktest: fork never failed (%d children)\n", n);
    return 1;
  }
  for (int i = 0; i < n; i++) {
    if (wait(0) < 0) {
      printf("forktest: wait stopped early after %d of %d children\n", i, n);
      return 1;
    }
  }
  if (wait(0) != -1) {
    printf("forktest: wait found a child too many\n");
    return 1;
  }
  printf("fork test OK (%d children)\n", n);
  return 0;
}
