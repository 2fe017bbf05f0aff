// A sample for Tools/stack-depth.py (make stack-depth-test): frames the
// ways the compiler makes them on RISC-V. sample_entry takes 16 bytes, then
// 8192 through a register (lui + sub), then 32 in an outlined prologue;
// it calls sample_leaf (48 bytes) and a function value (through a1).
// Worst case: 16 + 8192 + 32 + 48 = 8288 bytes, one call not seen.
    .section .text.sample_entry, "ax"
    .globl sample_entry
sample_entry:
    addi    sp, sp, -16
    lui     t1, 0x2
    sub     sp, sp, t1
    jal     t0, OUTLINED_FUNCTION_0
    call    sample_leaf
    jalr    a1
    lui     t1, 0x2
    add     sp, sp, t1
    addi    sp, sp, 48
    ret

    .section .text.sample_leaf, "ax"
    .globl sample_leaf
sample_leaf:
    addi    sp, sp, -48
    addi    sp, sp, 48
    ret

    .section .text.outlined, "ax"
    .globl OUTLINED_FUNCTION_0
OUTLINED_FUNCTION_0:
    addi    sp, sp, -32
    jr      t0
