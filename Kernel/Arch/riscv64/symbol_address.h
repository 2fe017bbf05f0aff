// SYMBOL_ADDRESS function, symbol: a function for Swift that returns the
// address of an assembly or linker-script symbol (`la a0, symbol`), in its
// own section so that the linker drops it when nobody calls it. Shared by
// csr.S (linker-script symbols, trap vectors, probes) and entry.S (the
// harts' boot words).
.macro SYMBOL_ADDRESS function, symbol
    .section .text.symbols.\function, "ax"
    .globl \function
\function:
    la      a0, \symbol
    ret
.endm
