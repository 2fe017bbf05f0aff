/// The ISA an executable is built for (`e_machine`). Swiftlet runs one of these
/// per kernel image and refuses executables built for the other.
public enum ElfMachine: UInt16, Sendable {
    case x86_64 = 62
    case riscv64 = 243
}
