enum Disk { static var isReady: Bool { false } }
struct KernelDisk: BlockDevice {
    var blockCount: UInt32 { 0 }
    func read(_ block: BlockNumber, into buffer: UnsafeMutableRawBufferPointer) throws(BlockDeviceError) { throw .ioError }
    func write(_ block: BlockNumber, from buffer: UnsafeRawBufferPointer) throws(BlockDeviceError) { throw .ioError }
}
