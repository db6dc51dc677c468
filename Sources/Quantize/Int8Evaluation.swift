import Q8Build
import Foundation
import Graph
import Kernels
import Runtime

/// Classifies `count` normalized float inputs with a loaded int8 model, spread over all cores
/// (one interpreter and arena per worker, the fastest kernels this CPU has): each input is quantized with the model input's scale
/// and zero point, the model runs, and the largest output byte gives the class (the first on ties).
public func int8Predictions(_ model: Q8Model, inputs: [Float], count: Int, batchSize: Int = 32,
                            progress: (@Sendable (Int) -> Void)? = nil) throws -> [Int] {
    let input = model.tensor(model.inputTensor(0))
    precondition(inputs.count == count * input.count, "inputs do not hold count examples")
    var predictions = [Int](repeating: 0, count: count)
    let chunks = (count + batchSize - 1) / batchSize
    try predictions.withUnsafeMutableBufferPointer { out in
        let destination = SendablePointer(out.baseAddress!)
        let failure = FirstError()
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaBytes, 16), alignment: 16)
            defer { arena.deallocate() }
            do {
                let interpreter = try Interpreter(model: model, arena: arena, kernels: .best)
                let first = chunk * batchSize, n = min(batchSize, count - first)
                inputs.withUnsafeBufferPointer { x in
                    for i in first..<(first + n) {
                        quantize_f32_s8(input: x.baseAddress! + i * input.count, count: input.count, scale: input.scale,
                                        zeroPoint: input.zeroPoint, output: interpreter.input(0).baseAddress!)
                        interpreter.invoke()
                        let scores = interpreter.output(0)
                        var best = 0
                        for k in scores.indices where scores[k] > scores[best] { best = k }
                        destination.pointer![i] = best
                    }
                }
                progress?(n)
            } catch {
                failure.record(error)
            }
        }
        if let error = failure.error { throw error }
    }
    return predictions
}

/// Keeps the first error thrown by any worker.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: Error?
    func record(_ e: Error) {
        lock.lock()
        if error == nil { error = e }
        lock.unlock()
    }
}
