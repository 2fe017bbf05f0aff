/* cpuattack's RISC-V cases: the attacks in attacks.S and what the kernel
   must say when it kills each. */
#include "user.h"
#include "../cpuattack.h"

KIND(illegal_instruction, "illegal instruction")
KIND(fetch_fault, "instruction fetch fault")
KIND(read_fault, "read fault")

ATTACK(read_sstatus)
ATTACK(write_satp)
ATTACK(write_stvec)
ATTACK(read_mstatus)
ATTACK(sret)
ATTACK(mret)
ATTACK(wfi)
ATTACK(sfence)
ATTACK(read_trap_frame)
int attack_call_trampoline(void);
/* The trampoline: the top page below MAXVA (RiscV64Layout.trampoline). */
static uint64 trampoline(void) { return 0x3FFFFFF000ULL; }
/* The trap frame page just below it. */
static uint64 trap_frame(void) { return 0x3FFFFFE000ULL; }

/* An ecall with a number far beyond the table fails with -1 and the
   process goes on. */
static int unknown_ecall(void) {
  return usyscall(1L << 62, 0, 0, 0, 0, 0, 0) == -1 ? 0 : 1;
}

/* tp is the user's: the kernel keeps its own (the CPU's record) in the
   trap frame. With tp set to a value that is no kernel address, system
   calls, timer interrupts and switches go on, and tp comes back as set. */
static int tp_is_the_users(void) {
  uint64 saved, after;
  uint64 mine = 0x5eed0000dead0008ULL;
  __asm__ volatile("mv %0, tp" : "=r"(saved));
  __asm__ volatile("mv tp, %0" : : "r"(mine));
  int start = uptime();
  int pid = getpid();
  while (uptime() < start + 3) {
  }
  __asm__ volatile("mv %0, tp" : "=r"(after));
  __asm__ volatile("mv tp, %0" : : "r"(saved));
  if (after != mine) {
    printf("cpuattack: tp is %lx after system calls, expected %lx\n", after, mine);
    return 1;
  }
  return pid == getpid() ? 0 : 2;
}

const struct attack attacks[] = {
    KILL(read_sstatus, illegal_instruction),
    KILL(write_satp, illegal_instruction),
    KILL(write_stvec, illegal_instruction),
    KILL(read_mstatus, illegal_instruction),
    KILL(sret, illegal_instruction),
    KILL(mret, illegal_instruction),
    KILL(wfi, illegal_instruction),
    KILL(sfence, illegal_instruction),
    {"call_trampoline", fetch_fault, trampoline, trampoline, attack_call_trampoline, 0},
    {"read_trap_frame", read_fault, trap_frame, read_trap_frame_at, attack_read_trap_frame, 0},
    {"unknown_ecall", 0, 0, 0, unknown_ecall, 0},
    {"tp_is_the_users", 0, 0, 0, tp_is_the_users, 0},
};
const int attack_count = sizeof(attacks) / sizeof(attacks[0]);
