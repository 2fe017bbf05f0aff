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

/* For the cases files: an attack of attacks.S, and the address of its
   faulting instruction (the label NAME_fault). */
#define ATTACK(name)          \
  int attack_##name(void);    \
  extern char name##_fault[]; \
  static uint64 name##_at(void) { return (uint64)name##_fault; }

/* A function that names the fault a report must show. */
#define KIND(function, text) \
  static const char *function(void) { return text; }

/* A case killed at its faulting instruction (address and pc alike). */
#define KILL(name, kind) {#name, kind, name##_at, name##_at, attack_##name, 0}
#endif
