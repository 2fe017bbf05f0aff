// The host library sees the memory core's address types through an import;
// the kernel compiles this directory into the same module as the memory core
// (no module to import), and `make core` passes the core's module.
#if canImport(MemoryCore)
@_exported import MemoryCore
#endif
