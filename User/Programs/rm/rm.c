/* rm: removes each name given (a file, or an empty directory); says which
   could not be removed and goes on with the rest. */
#include "user.h"

int main(int argc, char *argv[]) {
  if (argc < 2) {
    fprintf(2, "usage: rm NAME...\n");
    return 1;
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (unlink(argv[i]) < 0) {
      fprintf(2, "rm: cannot remove %s\n", argv[i]);
      status = 1;
    }
  }
  return status;
}
