/* elfbase: the valid program that the malformed ELF files (bad-*) are made
   from by patching bytes. It prints nothing and exits with a status no test
   expects by accident, so that memtest can tell "exec ran it" from "exec
   refused it". */
#include "user.h"

/* Initialized data, so that the program has a data segment (bad-entry points there). */
int elfbase_status = 42;

int main(void) { return elfbase_status; }
