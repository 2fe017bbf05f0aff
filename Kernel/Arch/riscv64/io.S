// Device I/O ordering, which Swift cannot spell.

    .section .text.cpu.io_fence, "ax"
    .globl swiftlet_io_fence
// Orders every earlier memory and device access before every later one: a
// driver's ring stores reach memory before its notify store reaches the device.
swiftlet_io_fence:
    fence   iorw, iorw
    ret
