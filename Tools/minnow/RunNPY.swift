import ArgumentParser
import AtomicWrite
import Data
import Foundation
import Graph
import Kernels
import ModelIO
import Runtime

/// `minnow run MODEL --input X.npy --output Y.npy`: tensors in the model's own layout (an
/// imported NCHW model takes and gives NCHW, as onnxruntime does), a leading batch of N running
/// N samples. A model.bin runs in the float executor; a model.q8 quantizes float32 inputs with
/// its input's scale and zero point and dequantizes its outputs (int8 arrays pass unchanged).
extension Run {
    func runNPY() throws {
        if fileStarts(model, at: 0, with: "MNWF") { return try runFloatNPY() }
        let file = try Q8File(path: model)
        defer { withExtendedLifetime(file) {} }
        let q8 = file.model
        guard npyInputs.count == q8.inputCount else {
            throw ValidationFailure("\(model) has \(q8.inputCount) input\(q8.inputCount == 1 ? "" : "s"); --input was given \(npyInputs.count) times")
        }
        guard npyOutputs.isEmpty || npyOutputs.count == q8.outputCount else {
            throw ValidationFailure("\(model) has \(q8.outputCount) output\(q8.outputCount == 1 ? "" : "s"); --output was given \(npyOutputs.count) times")
        }
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(q8.arenaBytes, 16), alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: q8, arena: arena, kernels: .best)
        var batch = -1
        var inputs: [(values: [Float], int8: [Int8]?)] = []
        for (k, path) in npyInputs.enumerated() {
            let array = try NPYArray.read(path: path)
            let boundary = NPYLayout(layout: layout(q8, k), memory: q8.tensor(q8.inputTensor(k)).shapeList)
            let (n, values) = try boundary.samples(array, path: path, what: "input \(k)")
            guard batch < 0 || n == batch else { throw ValidationFailure("\(path): \(n) samples, input 0 has \(batch)") }
            batch = n
            // An int8 array's values are its bytes, already permuted with the floats.
            inputs.append((values, array.int8 == nil ? nil : values.map { Int8($0) }))
        }
        var outputs = [[Float]](repeating: [], count: q8.outputCount)
        let int8Out = inputs.allSatisfy { $0.int8 != nil }
        for s in 0..<batch {
            for (k, input) in inputs.enumerated() {
                let view = interpreter.input(k), size = view.count
                if let q = input.int8 {
                    _ = view.update(fromContentsOf: q[(s * size)..<((s + 1) * size)])
                } else {
                    let t = q8.tensor(q8.inputTensor(k))
                    input.values.withUnsafeBufferPointer {
                        quantize_f32_s8(input: $0.baseAddress! + s * size, count: size, scale: t.scale, zeroPoint: t.zeroPoint, output: view.baseAddress!)
                    }
                }
            }
            interpreter.invoke()
            for k in 0..<q8.outputCount {
                let y = Array(interpreter.output(k))
                outputs[k] += int8Out ? y.map(Float.init) : q8.tensor(q8.outputTensor(k)).dequantized(y).map(Float.init)
            }
        }
        for k in 0..<q8.outputCount {
            let boundary = NPYLayout(layout: layout(q8, q8.inputCount + k), memory: q8.tensor(q8.outputTensor(k)).shapeList)
            let values = boundary.user(outputs[k], count: batch)
            let array = int8Out ? NPYArray(dims: [batch] + boundary.dims, int8: values.map { Int8($0) }) : NPYArray(dims: [batch] + boundary.dims, values: values)
            try emit(array, output: k)
        }
    }

    /// The source layout of model.q8 input k, or output `k − inputCount` (nil: Minnow's NHWC).
    func layout(_ q8: Q8Model, _ k: Int) -> TensorLayout? {
        q8.boundaryLayout(k).map { TensorLayout(dims: $0.dims, order: $0.order) }
    }

    func runFloatNPY() throws {
        let m = try ModelFile.read(path: model)
        guard npyInputs.count == 1 else { throw ValidationFailure("\(model) has 1 input; --input was given \(npyInputs.count) times") }
        guard npyOutputs.count <= 1 else { throw ValidationFailure("\(model) has 1 output; --output was given \(npyOutputs.count) times") }
        let executor = try FloatExecutor(m.graph)
        let input = NPYLayout(layout: m.inputLayout, memory: m.graph.inputShape.dims)
        let (batch, values) = try input.samples(try NPYArray.read(path: npyInputs[0]), path: npyInputs[0], what: "the model's input")
        let y = executor.run(values, batch: batch)
        let output = NPYLayout(layout: m.outputLayout, memory: executor.shapes[m.graph.output].dims)
        try emit(NPYArray(dims: [batch] + output.dims, values: output.user(y, count: batch)), output: 0)
    }

    func emit(_ array: NPYArray, output k: Int) throws {
        if k < npyOutputs.count {
            try writeAtomically(Data(array.encoded()), to: npyOutputs[k])
        } else {
            print("output \(k) \(array.dims): " + (array.int8.map { $0.map(String.init) } ?? array.values.map { String(format: "%.6g", $0) }).joined(separator: " "))
        }
    }
}

/// The dims of one sample and, when the user's order is not Minnow's memory order, the user's
/// row-major index of each memory element.
/// The dims of one sample as the user gives them (an imported model's own layout, else Minnow's
/// memory shape), and the permutation between them.
struct NPYLayout {
    var dims: [Int]
    var layout: TensorLayout?

    init(layout: TensorLayout?, memory: [Int]) {
        self.layout = layout
        dims = layout.map { Array($0.dims.dropFirst()) } ?? memory
    }

    /// Samples of `array` (dims `[N] + dims`, or `dims` for one) in memory order.
    func samples(_ array: NPYArray, path: String, what: String) throws -> (count: Int, values: [Float]) {
        let batch: Int
        if array.dims == dims { batch = 1 } else if array.dims.count == dims.count + 1, Array(array.dims.dropFirst()) == dims {
            batch = array.dims[0]
        } else {
            throw ValidationFailure("\(path): shape \(array.dims), but \(what) takes [N, \(dims.map(String.init).joined(separator: ", "))]")
        }
        return (batch, layout?.memoryOrder(array.values, samples: batch) ?? array.values)
    }

    /// `count` samples in memory order → the user's order.
    func user(_ memory: [Float], count: Int) -> [Float] { layout?.userOrder(memory, samples: count) ?? memory }
}
