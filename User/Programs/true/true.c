/* true: does nothing, successfully. bench execs it to time fork + exec. */
#include "user.h"

int main(void) {
  return 0;
}
