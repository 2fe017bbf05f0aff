/// A small bounce buffer on the kernel stack for moving bytes between user
/// memory and devices, pipes or files in bounded chunks.
struct KernelBuffer {
    static let size = 256
    var bytes: InlineArray<256, UInt8> = .init(repeating: 0)
}
