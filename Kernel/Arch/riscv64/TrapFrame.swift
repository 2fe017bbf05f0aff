/// What trap.S saves on the stack on a kernel-mode trap, in this order:
/// x0...x31 (x0's slot unused, x2 = sp before the trap), then sepc and
/// sstatus. trap.S writes the saved sepc and sstatus back before `sret`, so
/// a handler changes where execution resumes by changing `sepc`.
struct TrapFrame {
    var registers: InlineArray<32, UInt64>
    var sepc: UInt64
    var sstatus: UInt64
}
