// Shared by cpuattack's attacks.S files: ATTACK starts the function
// attack_NAME in a section of its own, FAULT marks its faulting instruction
// as NAME_fault (cases.c reports that address).
.macro ATTACK name
    .section .text.attack_\name, "ax"
    .globl attack_\name
    .type attack_\name, @function
attack_\name:
.endm

.macro FAULT name
    .globl \name\()_fault
\name\()_fault:
.endm
