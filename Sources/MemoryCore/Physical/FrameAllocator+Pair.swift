extension FrameAllocator {
    /// Lends `body` two frames, for code that needs a pair (the kernel's
    /// boot checks write a pattern into each and compare): both are taken or
    /// neither, and both go back when `body` returns, whatever it answers.
    /// False, with nothing taken, when two frames are not free, and false
    /// when one cannot be given back.
    public static func withTwoFrames(
        from frames: UnsafeMutablePointer<FrameAllocator>, _ body: (FrameNumber, FrameNumber) -> Bool
    ) -> Bool {
        let first: FrameNumber
        let second: FrameNumber
        do throws(FrameError) {
            first = try frames.pointee.allocate()
        } catch {
            return false
        }
        do throws(FrameError) {
            second = try frames.pointee.allocate()
        } catch {
            try? frames.pointee.free(first)
            return false
        }
        let answer = body(first, second)
        do throws(FrameError) {
            try frames.pointee.free(first)
            try frames.pointee.free(second)
        } catch {
            return false
        }
        return answer
    }
}
