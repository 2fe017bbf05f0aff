/* cpuattack's x86-64 cases: the attacks in attacks.S and what the kernel
   must say when it kills each. */
#include "user.h"
#include "../cpuattack.h"

KIND(segment_not_present, "segment not present")
KIND(general_protection, "general protection")
KIND(debug, "debug")
KIND(noncanonical, "non-canonical return address")
KIND(read_fault, "read fault")

/* `sysenter` in 64-bit mode: #UD on AMD processors (QEMU's qemu64 says
   AuthenticAMD), #GP on Intel's (SYSENTER_CS is 0). */
static const char *sysenter_kind(void) {
  uint32 words[4];
  __asm__ volatile("cpuid" : "=a"(words[0]), "=b"(words[1]), "=c"(words[2]), "=d"(words[3]) : "a"(0), "c"(0));
  return words[1] == 0x756E6547 ? "general protection" : "illegal instruction"; /* "Genu" */
}

ATTACK(lret32)
ATTACK(ljmp32)
ATTACK(lcall32)
ATTACK(iret32)
ATTACK(load_ds32)
ATTACK(ljmp_kernel)
ATTACK(int0x80)
ATTACK(int0x20)
ATTACK(int2)
ATTACK(int18)
ATTACK(int14)
ATTACK(icebp)
ATTACK(sysenter)
ATTACK(sgdt)
ATTACK(sidt)
ATTACK(sldt)
ATTACK(smsw)
ATTACK(str)
ATTACK(out_exit_port)
ATTACK(cli)
ATTACK(hlt)
ATTACK(rdmsr)
ATTACK(lgdt)
ATTACK(swapgs)
ATTACK(gs_after_syscall)
/* gs:8 with the user's GS base (0). */
static uint64 gs_offset(void) { return 8; }

int attack_noncanonical_return(void);
static uint64 lower_half_end(void) { return 0x800000000000ULL; }

void set_data_segments(uint64 selector);
void read_data_segments(uint64 out[4]);

#define USER_DATA 0x23

/* A process's ds, es, fs and gs are its own: a child loads user data into
   all four and sleeps; its parent, running meanwhile, still sees the null
   selectors it started with, and the child finds its own values after
   timer interrupts and switches. */
static int segments_per_process(void) {
  int ready[2];
  if (pipe(ready) < 0) return 2;
  int pid = fork();
  if (pid < 0) return 3;
  if (pid == 0) {
    set_data_segments(USER_DATA);
    write(ready[1], "x", 1);
    sleep(3);
    uint64 after[4];
    read_data_segments(after);
    for (int i = 0; i < 4; i++)
      if (after[i] != USER_DATA) {
        printf("cpuattack: child's segment %d is %lx after sleeping, expected %x\n", i, after[i], USER_DATA);
        exit(1);
      }
    exit(0);
  }
  uint64 before[4], seen[4];
  read_data_segments(before);
  char byte;
  read(ready[0], &byte, 1);
  sleep(1);
  read_data_segments(seen);
  int status = -1;
  wait(&status);
  for (int i = 0; i < 4; i++)
    if (seen[i] != before[i]) {
      printf("cpuattack: parent's segment %d became %lx while the child ran (was %lx)\n", i, seen[i], before[i]);
      return 1;
    }
  return status == 0 ? 0 : 4;
}

/* QEMU 7.2's TCG pops a far return's and an iretq's frame with supervisor
   accesses, which SMAP refuses on the user stack: a page fault on the
   stack at the instruction, before the processor reaches the descriptor. */
static void stack_fault_at(char *out, uint64 pc) {
  char text[24];
  format_address(text, pc);
  strcpy(out, "read fault at 0x* pc ");
  strcpy(out + strlen(out), text);
  strcpy(out + strlen(out), " [stack]");
}
static void lret32_emulated(char *out) { stack_fault_at(out, lret32_at()); }
static void iret32_emulated(char *out) { stack_fault_at(out, iret32_at()); }

/* QEMU 7.2 treats int1 (icebp) as undefined: #UD at the instruction, where
   the manuals give a debug trap after it. */
static void icebp_emulated(char *out) {
  char text[24];
  format_address(text, (uint64)attack_icebp);
  strcpy(out, "illegal instruction at ");
  strcpy(out + strlen(out), text);
  strcpy(out + strlen(out), " pc ");
  strcpy(out + strlen(out), text);
  strcpy(out + strlen(out), " [");
}

#define KILL_EMULATED(name, kind) {#name, kind, name##_at, name##_at, attack_##name, name##_emulated}
/* icebp traps after the instruction: its label marks the next one. */
const struct attack attacks[] = {
    KILL_EMULATED(lret32, segment_not_present),
    KILL(ljmp32, segment_not_present),
    KILL(lcall32, segment_not_present),
    KILL_EMULATED(iret32, segment_not_present),
    KILL(load_ds32, segment_not_present),
    KILL(ljmp_kernel, general_protection),
    KILL(int0x80, general_protection),
    KILL(int0x20, general_protection),
    KILL(int2, general_protection),
    KILL(int18, general_protection),
    KILL(int14, general_protection),
    KILL_EMULATED(icebp, debug),
    KILL(sysenter, sysenter_kind),
    KILL(sgdt, general_protection),
    KILL(sidt, general_protection),
    KILL(sldt, general_protection),
    KILL(smsw, general_protection),
    KILL(str, general_protection),
    KILL(out_exit_port, general_protection),
    KILL(cli, general_protection),
    KILL(hlt, general_protection),
    KILL(rdmsr, general_protection),
    KILL(lgdt, general_protection),
    KILL(swapgs, general_protection),
    {"gs_after_syscall", read_fault, gs_offset, gs_after_syscall_at, attack_gs_after_syscall, 0},
    {"noncanonical_return", noncanonical, lower_half_end, lower_half_end, attack_noncanonical_return, 0},
    {"segments_per_process", 0, 0, 0, segments_per_process, 0},
};
const int attack_count = sizeof(attacks) / sizeof(attacks[0]);
