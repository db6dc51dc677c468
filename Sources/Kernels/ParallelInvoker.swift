import Foundation
import Runtime
import Synchronization

/// Runs an interpreter's ops on several threads (host only; the firmware runs one): each op is
/// split into one part per thread (`Interpreter.run(_:part:of:scratch:)`: output rows,
/// channels or elements), the calling thread runs part 0 and waits for the workers' parts
/// before the next op. Workers wait by spinning on an atomic counter (a semaphore's wake-up costs
/// more than a small op), yielding after a while and sleeping when idle for long, as thread
/// pools for inference do. The workers and their scratch buffers are made once, here; `invoke`
/// allocates nothing. The bytes are the same for any thread count (tested).
/// Example: `let parallel = ParallelInvoker(interpreter, threads: 2); parallel.invoke()`.
public final class ParallelInvoker: @unchecked Sendable {  // `op` is published by `generation`'s release store
    public let interpreter: Interpreter
    public let threads: Int
    let scratch: [UnsafeMutableRawPointer]
    /// Bumped once per op handed to the workers (negative: stop).
    let generation = Atomic<Int>(0)
    /// Parts the workers have finished, over all ops so far.
    let finished = Atomic<Int>(0)
    let exited = Atomic<Int>(0)
    var op = 0
    var handedOut = 0

    public init(_ interpreter: Interpreter, threads: Int) {
        self.interpreter = interpreter
        self.threads = max(1, threads)
        // Each part gets scratch as large as the largest op's, 32-byte aligned.
        var largest = 16
        for i in 0..<interpreter.model.opCount {
            if let s = interpreter.model.op(i).scratch { largest = max(largest, interpreter.model.tensor(s).byteSize) }
        }
        scratch = (0..<self.threads).map { _ in UnsafeMutableRawPointer.allocate(byteCount: largest, alignment: 32) }
        for t in 1..<self.threads {
            let thread = Thread { [unowned self] in self.work(t) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit {
        generation.store(-1, ordering: .releasing)
        while exited.load(ordering: .acquiring) < threads - 1 { sched_yield() }
        for s in scratch { s.deallocate() }
    }

    /// Waits until `condition` holds: spinning, then yielding, then sleeping.
    @inline(__always) func wait(until condition: () -> Bool) {
        var tries = 0
        while !condition() {
            tries += 1
            if tries > 1 << 18 {
                usleep(50)
            } else if tries > 1 << 12 {
                sched_yield()
            }
        }
    }

    func work(_ t: Int) {
        var seen = 0
        while true {
            wait { generation.load(ordering: .acquiring) != seen }
            seen = generation.load(ordering: .acquiring)
            if seen < 0 { exited.add(1, ordering: .releasing); return }
            interpreter.run(op, part: t, of: threads, scratch: scratch[t])
            finished.add(1, ordering: .releasing)
        }
    }

    /// Runs every op in order, each on all threads.
    public func invoke() {
        for i in 0..<interpreter.model.opCount { run(i) }
    }

    /// Runs op `i` on all threads.
    public func run(_ i: Int) {
        if threads == 1 { return interpreter.run(i) }
        op = i
        handedOut += threads - 1
        generation.add(1, ordering: .releasing)
        interpreter.run(i, part: 0, of: threads, scratch: scratch[0])
        let target = handedOut
        wait { finished.load(ordering: .acquiring) >= target }
    }
}
