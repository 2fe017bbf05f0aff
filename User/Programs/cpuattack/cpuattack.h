/* One attack of cpuattack (cpuattack.c). */
#ifndef CPUATTACK_H
#define CPUATTACK_H
#include "types.h"

struct attack {
  const char *name;
  /* The fault the kernel's report must name, or 0 for a case that checks
     state and exits 0 when it holds. */
  const char *(*kind)(void);
  /* The report's address and pc (for a kill). */
  uint64 (*address)(void);
  uint64 (*pc)(void);
  /* In the child: the attack; returns only if it was not stopped. */
  int (*run)(void);
  /* Where an emulator is known to fault differently from the processor
     manuals: the other report accepted, written after "pid N (cpuattack): ",
     with 0x* for an address that cannot be known beforehand. */
  void (*emulated)(char *out);
};

extern const struct attack attacks[];
extern const int attack_count;

void format_address(char *out, uint64 value);

/* Returned by an attack the kernel let through. */
#define NOT_STOPPED 7
#endif
