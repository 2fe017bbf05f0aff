// free: free physical memory and the kernel heap in use.
import SwiftletUser

let frameKiB = 4

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    let frames = Sys.freeFrames()
    let heap = Sys.kernelHeap()
    if frames < 0 || heap < 0 {
        err("free: the kernel did not answer\n")
        return 1
    }
    out("free frames: \(frames) (\(frames * frameKiB) KiB)\n")
    out("kernel heap: \(heap) bytes in use\n")
    return 0
}
