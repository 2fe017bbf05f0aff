/* xv6 programs include "kernel/fcntl.h": the Swiftlet header serves. */
#include "../fcntl.h"
