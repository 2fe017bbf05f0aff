/* xv6 programs include "kernel/stat.h": the Swiftlet header serves. */
#include "../stat.h"
