import Foundation
import Q8Build
import Runtime
import TFLiteFile

/// Turns an int8 .tflite model into a model.q8 program that computes TensorFlow Lite Micro's
/// bytes: every multiplier, shift, clamp and table is derived from the file's scales and zero
/// points exactly as TFLM's `Prepare` derives them (`quantizeMultiplier`, `channelMultipliers`,
/// `addParams`, `softmaxParams`, `meanParams`, `FusedActivation.range`, and the tables of
/// `ElementwiseTables`), and byte-copying ops (pools, pad, reshape, concatenation, transpose)
/// copy bytes as TFLM does, whatever their tensors' scales.
///
/// Every operator is checked first; a model with operators or tensors Minnow cannot run is
/// refused with one error listing each (`#3 UNIDIRECTIONAL_SEQUENCE_LSTM`, `#0 CONV_2D: int16
/// activations`). Activations must be int8 with batch 1 (2-D tensors may hold several rows); the
/// graph's inputs and outputs become the program's, in order.
/// Example: `importTFLite(try TFLiteModel(bytes: data))` for `person_detect.tflite` gives 31 ops.
public func importTFLite(_ model: TFLiteModel, packWeights: Bool = true) throws(TFLiteError) -> Q8Program {
    var importer = TFLiteImporter(model: model, packWeights: packWeights)
    return try importer.run()
}

/// The builtin operators `importTFLite` lowers.
public let supportedBuiltinOperators: Set<Int> = [
    BuiltinOperator.add, BuiltinOperator.mul, BuiltinOperator.sub, BuiltinOperator.averagePool2d, BuiltinOperator.concatenation, BuiltinOperator.conv2d,
    BuiltinOperator.depthwiseConv2d, BuiltinOperator.fullyConnected, BuiltinOperator.logistic, BuiltinOperator.maxPool2d,
    BuiltinOperator.relu, BuiltinOperator.relu6, BuiltinOperator.reshape, BuiltinOperator.softmax, BuiltinOperator.tanh,
    BuiltinOperator.pad, BuiltinOperator.transpose, BuiltinOperator.mean, BuiltinOperator.squeeze, BuiltinOperator.transposeConv,
    BuiltinOperator.resizeNearestNeighbor, BuiltinOperator.resizeBilinear, BuiltinOperator.leakyRelu, BuiltinOperator.quantize, BuiltinOperator.hardSwish,
    BuiltinOperator.shape, BuiltinOperator.stridedSlice, BuiltinOperator.pack, BuiltinOperator.padV2,
    BuiltinOperator.maximum, BuiltinOperator.minimum, BuiltinOperator.split, BuiltinOperator.splitV,
]

struct TFLiteImporter {
    let model: TFLiteModel
    let packWeights: Bool
    var program = Q8Program()
    /// TFLite tensor index → program tensor index, for activations made so far.
    var activations: [Int: Int] = [:]
    /// TFLite tensor index → its int values, for shape arithmetic folded at import (ShapeFolding.swift).
    var folded: [Int: [Int]] = [:]
    var problems: [String] = []

    init(model: TFLiteModel, packWeights: Bool) {
        self.model = model
        self.packWeights = packWeights
    }

    /// A refusal of one operator, collected so that one error lists them all.
    struct Unsupported: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    mutating func run() throws(TFLiteError) -> Q8Program {
        guard !model.operators.isEmpty else { throw TFLiteError("the model has no operators") }
        guard !model.inputs.isEmpty, !model.outputs.isEmpty else { throw TFLiteError("the model has no inputs or no outputs") }
        for (k, t) in model.inputs.enumerated() {
            do { program.inputs.append(try arenaTensor(t)) } catch { problems.append("input \(k) (tensor \(t)): \(error.reason)") }
        }
        for (i, op) in model.operators.enumerated() {
            let code = model.operatorCodes[op.opcodeIndex]
            let name = code.custom.map { "custom code '\($0)'" } ?? code.name
            do {
                try lower(op)
            } catch {
                problems.append(error.reason.isEmpty ? "#\(i) \(name)" : "#\(i) \(name): \(error.reason)")
                // Later operators still get checked: this one's outputs exist as tensors.
                for t in op.outputs where t >= 0 && activations[t] == nil {
                    activations[t] = program.activation(outputShape(t), AffineQuantization(scale: 1, zeroPoint: 0))
                }
            }
        }
        for (k, t) in model.outputs.enumerated() {
            guard let id = activations[t] else {
                if problems.isEmpty { problems.append("output \(k) (tensor \(t)) is written by no operator") }
                continue
            }
            program.outputs.append(id)
        }
        if !problems.isEmpty {
            throw TFLiteError("\(problems.count) unsupported: " + problems.joined(separator: "; "))
        }
        return program
    }

    // MARK: Tensors

    func tensor(_ t: Int) -> TFLiteModel.Tensor { model.tensors[t] }

    /// The shape without TFLite's batch axis of 1 (at least one dimension).
    func outputShape(_ t: Int) -> [Int] {
        let shape = tensor(t).shape
        let rest = shape.count > 1 && shape[0] == 1 ? Array(shape.dropFirst()) : shape
        return rest.isEmpty ? [1] : rest
    }

    /// The per-tensor quantization of an int8 activation.
    func quantization(_ t: Int) throws(Unsupported) -> AffineQuantization {
        let x = tensor(t)
        guard x.type == .int8 else {
            let type = x.type?.name ?? "type \(x.typeCode)"
            throw Unsupported(x.type == .int16 ? "int16 activations" : x.type == .float32 ? "float activations (a float graph)" : "\(type) activations")
        }
        guard let q = x.quantization, q.scales.count == 1, q.scales[0].isFinite, q.scales[0] > 0 else {
            throw Unsupported("tensor \(t) '\(x.name)' has no per-tensor quantization")
        }
        let zero = q.zeroPoints.first ?? 0
        guard (-128...127).contains(zero) else { throw Unsupported("tensor \(t) zero point \(zero) outside [-128, 127]") }
        return AffineQuantization(scale: q.scales[0], zeroPoint: zero)
    }

    /// The program tensor of activation `t`, made on first use.
    mutating func arenaTensor(_ t: Int, shape: [Int]? = nil) throws(Unsupported) -> Int {
        if let id = activations[t] { return id }
        let x = tensor(t)
        guard x.data == nil else { throw Unsupported("tensor \(t) is a constant where an activation is expected") }
        guard !x.isVariable else { throw Unsupported("tensor \(t) is a variable (state)") }
        // A batch of images is not run; rows of a 2-D tensor are (FULLY_CONNECTED over a sequence,
        // and the element-wise ops after it).
        guard x.shape.first.map({ $0 == 1 }) ?? true || x.shape.count <= 2 else {
            throw Unsupported("tensor \(t) has batch \(x.shape[0]); only batch 1 runs")
        }
        let dims = shape ?? outputShape(t)
        guard dims.count <= 4, dims.allSatisfy({ $0 >= 1 && $0 <= 65536 }), dims.reduce(1, *) <= 1 << 28 else {
            throw Unsupported("tensor \(t) has shape \(x.shape), beyond 4 dimensions of 1 to 65536")
        }
        let id = program.activation(dims, try quantization(t))
        activations[t] = id
        return id
    }

    /// The bytes of constant `t` as `count` values of `T`.
    func constant<T: FixedWidthInteger>(_ t: Int, _ type: T.Type) throws(Unsupported) -> [T] {
        let x = tensor(t)
        guard let range = x.data else { throw Unsupported("tensor \(t) '\(x.name)' should be a constant") }
        let count = x.count
        guard range.count == count * MemoryLayout<T>.size else {
            throw Unsupported("constant tensor \(t) holds \(range.count) bytes for \(count) values of shape \(x.shape)")
        }
        return model.bytes[range].withUnsafeBytes { raw in
            (0..<count).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
    }

    /// An int32 constant given as int32 or int64 (shapes, paddings, axes, permutations), or a
    /// vector folded at import.
    func indices(_ t: Int) throws(Unsupported) -> [Int] {
        if let values = folded[t] { return values }
        switch tensor(t).type {
        case .int32: return try constant(t, Int32.self).map(Int.init)
        case .int64: return try constant(t, Int64.self).map { Int(clamping: $0) }
        default: throw Unsupported("tensor \(t) should be an int32 or int64 constant")
        }
    }
}
