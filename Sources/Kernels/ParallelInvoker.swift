import Dispatch
import Foundation
import Runtime

/// Runs an interpreter's ops on several threads (host only; the firmware runs one): each op is
/// split into one part per thread (`Interpreter.run(_:part:of:scratch:)`: output rows,
/// channels or elements), the calling thread runs part 0 and waits for the workers' parts
/// before the next op. The workers and their scratch buffers are made once, here; `invoke`
/// allocates nothing. The bytes are the same for any thread count (tested).
/// Example: `let parallel = ParallelInvoker(interpreter, threads: 2); parallel.invoke()`.
public final class ParallelInvoker: @unchecked Sendable {  // `op` and `stopping` are handed over through the semaphores
    public let interpreter: Interpreter
    public let threads: Int
    let scratch: [UnsafeMutableRawPointer]
    let start: [DispatchSemaphore], done: [DispatchSemaphore]
    var op = 0
    var stopping = false

    public init(_ interpreter: Interpreter, threads: Int) {
        self.interpreter = interpreter
        self.threads = max(1, threads)
        // Each part gets scratch as large as the largest op's, 32-byte aligned.
        var largest = 16
        for i in 0..<interpreter.model.opCount {
            if let s = interpreter.model.op(i).scratch { largest = max(largest, interpreter.model.tensor(s).byteSize) }
        }
        scratch = (0..<self.threads).map { _ in UnsafeMutableRawPointer.allocate(byteCount: largest, alignment: 32) }
        start = (0..<self.threads).map { _ in DispatchSemaphore(value: 0) }
        done = (0..<self.threads).map { _ in DispatchSemaphore(value: 0) }
        for t in 1..<self.threads {
            let thread = Thread { [unowned self] in self.work(t) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit {
        stopping = true
        for t in 1..<threads { start[t].signal() }
        for t in 1..<threads { done[t].wait() }
        for s in scratch { s.deallocate() }
    }

    func work(_ t: Int) {
        while true {
            start[t].wait()
            if stopping { done[t].signal(); return }
            interpreter.run(op, part: t, of: threads, scratch: scratch[t])
            done[t].signal()
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
        for t in 1..<threads { start[t].signal() }
        interpreter.run(i, part: 0, of: threads, scratch: scratch[0])
        for t in 1..<threads { done[t].wait() }
    }
}
