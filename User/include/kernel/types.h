/* xv6 programs include "kernel/types.h": the Swiftlet header serves. */
#include "../types.h"
