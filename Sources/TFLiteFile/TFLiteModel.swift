/// The part of a .tflite model (TensorFlow Lite's FlatBuffer schema, `schema.fbs` in
/// tflite-micro) that an int8 importer reads: subgraph 0's tensors, operators, inputs and
/// outputs, the operator codes and the constant buffers. Field ids follow the schema's order
/// (a union takes two ids: its type, then its value).
///
/// `init` reads the whole structure eagerly and checks every index against its table, so that
/// a value of this type is consistent: tensor indices of operators and of the graph's inputs and
/// outputs exist, buffer indices exist, operator codes exist, and every constant's bytes lie in
/// the file.
public struct TFLiteModel {
    public var version: Int
    public var description: String
    public var subgraphCount: Int
    public var operatorCodes: [OperatorCode]
    public var tensors: [Tensor]
    public var operators: [Operator]
    public var inputs: [Int]
    public var outputs: [Int]
    /// The file's bytes, which constant tensors' `data` ranges point into.
    public let bytes: [UInt8]

    public struct OperatorCode: Equatable {
        /// `max(deprecated_builtin_code, builtin_code)`, as TFLite reads it.
        public var builtin: Int
        public var custom: String?
        public var version: Int
        /// `CONV_2D`, or the custom code, or `BUILTIN_<n>` for a code past the known list.
        public var name: String { custom ?? BuiltinOperator.name(builtin) }
    }

    public enum TensorType: Int8 {
        case float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, string = 5, bool = 6, int16 = 7
        case complex64 = 8, int8 = 9, float64 = 10

        public var name: String { "\(self)".uppercased() }
    }

    public struct Quantization: Equatable {
        public var scales: [Float]
        public var zeroPoints: [Int]
        public var quantizedDimension: Int
    }

    public struct Tensor {
        public var name: String
        public var shape: [Int]
        /// nil for a type this reader does not name (it is reported by its number).
        public var type: TensorType?
        public var typeCode: Int8
        public var quantization: Quantization?
        /// The constant's bytes in `TFLiteModel.bytes`, or nil for an activation.
        public var data: Range<Int>?
        public var isVariable: Bool
        public var isSparse: Bool

        public var count: Int { shape.reduce(1, *) }
    }

    public struct Operator {
        public var opcodeIndex: Int
        /// Tensor indices; −1 for an absent optional input.
        public var inputs: [Int]
        public var outputs: [Int]
        public var options: Options
    }

    public enum Padding: Int8 { case same = 0, valid = 1 }

    public enum Activation: Int8 { case none = 0, relu = 1, reluN1To1 = 2, relu6 = 3, tanh = 4, signBit = 5 }

    /// The builtin options this importer reads, decoded by the operator's code.
    public enum Options {
        case none
        case conv(padding: Padding, strideW: Int, strideH: Int, activation: Activation, dilationW: Int, dilationH: Int)
        case depthwise(padding: Padding, strideW: Int, strideH: Int, depthMultiplier: Int, activation: Activation,
                       dilationW: Int, dilationH: Int)
        case pool(padding: Padding, strideW: Int, strideH: Int, filterW: Int, filterH: Int, activation: Activation)
        case fullyConnected(activation: Activation, weightsFormat: Int, keepNumDims: Bool)
        case softmax(beta: Float)
        case concatenation(axis: Int, activation: Activation)
        case add(activation: Activation)
        case mul(activation: Activation)
        case sub(activation: Activation)
        case reshape(newShape: [Int]?)
        case reducer(keepDims: Bool)
        case squeeze(dims: [Int])
        case transposeConv(padding: Padding, strideW: Int, strideH: Int, activation: Activation)
        case resizeNearest(alignCorners: Bool, halfPixelCenters: Bool)
        /// ResizeBilinearOptions: fields 0 and 1 are the deprecated sizes.
        case resizeBilinear(alignCorners: Bool, halfPixelCenters: Bool)
        case leakyRelu(alpha: Float)
        /// StridedSliceOptions: bit i of a mask is axis i.
        case stridedSlice(beginMask: Int, endMask: Int, ellipsisMask: Int, newAxisMask: Int, shrinkAxisMask: Int, offset: Bool)
        case pack(valuesCount: Int, axis: Int)
    }

    /// Parses `bytes`, a whole .tflite file.
    public init(bytes: [UInt8]) throws(TFLiteError) {
        self.bytes = bytes
        var parsed: (Int, String, Int, [OperatorCode], [Tensor], [Operator], [Int], [Int])!
        var failure: TFLiteError?
        bytes.withUnsafeBytes { raw in
            do throws(TFLiteError) { parsed = try Self.parse(FlatBuffer(raw)) } catch { failure = error }
        }
        if let failure { throw failure }
        (version, description, subgraphCount, operatorCodes, tensors, operators, inputs, outputs) = parsed
    }

    static func parse(_ fb: FlatBuffer) throws(TFLiteError)
        -> (Int, String, Int, [OperatorCode], [Tensor], [Operator], [Int], [Int]) {
        guard fb.bytes.count >= 8 else { throw TFLiteError("file is \(fb.bytes.count) bytes, too short for a FlatBuffer") }
        guard fb.identifier == "TFL3" else {
            throw TFLiteError("not a TensorFlow Lite model (file identifier \(String(reflecting: fb.identifier ?? "")), expected \"TFL3\")")
        }
        let model = try fb.root()
        let version = Int(try model.scalar(0, UInt32.self))
        guard version == 3 else { throw TFLiteError("schema version \(version); only version 3 is read") }
        var codes: [OperatorCode] = []
        if let v = try model.vector(1, elementSize: 4, "operator_codes") {
            for i in 0..<v.count {
                let t = try v.table(i)
                let deprecated = Int(try t.scalar(0, Int8.self))
                let extended = Int(try t.scalar(3, Int32.self))
                codes.append(OperatorCode(builtin: max(deprecated, extended), custom: try t.string(1, "custom_code"),
                                          version: Int(try t.scalar(2, Int32.self, default: 1))))
            }
        }
        var buffers: [Range<Int>?] = []
        if let v = try model.vector(4, elementSize: 4, "buffers") {
            for i in 0..<v.count {
                let b = try v.table(i)
                if let data = try b.vector(0, elementSize: 1, "buffers[\(i)].data"), data.count > 0 {
                    buffers.append(data.start..<(data.start + data.count))
                } else {
                    let offset = try b.scalar(1, UInt64.self), size = try b.scalar(2, UInt64.self)
                    if offset > 1, size > 0 {
                        guard offset < UInt64(fb.bytes.count), size <= UInt64(fb.bytes.count) - offset else {
                            throw TFLiteError("buffers[\(i)] lies outside the file (offset \(offset), size \(size))")
                        }
                        buffers.append(Int(offset)..<Int(offset + size))
                    } else {
                        buffers.append(nil)
                    }
                }
            }
        }
        guard let subgraphs = try model.vector(2, elementSize: 4, "subgraphs"), subgraphs.count >= 1 else {
            throw TFLiteError("model has no subgraph")
        }
        let graph = try subgraphs.table(0)
        var tensors: [Tensor] = []
        if let v = try graph.vector(0, elementSize: 4, "tensors") {
            for i in 0..<v.count { tensors.append(try tensor(try v.table(i), index: i, buffers: buffers)) }
        }
        func indices(_ id: Int, _ name: String, optional: Bool = false) throws(TFLiteError) -> [Int] {
            guard let v = try graph.vector(id, elementSize: 4, name) else { return [] }
            let list = try v.integers(Int32.self)
            for t in list where !(t >= 0 && t < tensors.count) && !(optional && t == -1) {
                throw TFLiteError("\(name) names tensor \(t), but the subgraph has \(tensors.count) tensors")
            }
            return list
        }
        let inputs = try indices(1, "subgraph inputs"), outputs = try indices(2, "subgraph outputs")
        var operators: [Operator] = []
        if let v = try graph.vector(3, elementSize: 4, "operators") {
            for i in 0..<v.count {
                let t = try v.table(i)
                let index = Int(try t.scalar(0, UInt32.self))
                guard index < codes.count else { throw TFLiteError("operator \(i) has opcode index \(index) of \(codes.count)") }
                func list(_ id: Int, _ name: String) throws(TFLiteError) -> [Int] {
                    let values = try t.vector(id, elementSize: 4, "operator \(i) \(name)")?.integers(Int32.self) ?? []
                    for x in values where x < -1 || x >= tensors.count {
                        throw TFLiteError("operator \(i) \(name) names tensor \(x), but the subgraph has \(tensors.count) tensors")
                    }
                    return values
                }
                operators.append(Operator(opcodeIndex: index, inputs: try list(1, "inputs"), outputs: try list(2, "outputs"),
                                          options: try options(codes[index].builtin, try t.table(4, "operator \(i) builtin_options"))))
            }
        }
        return (version, try model.string(3, "description") ?? "", subgraphs.count, codes, tensors, operators, inputs, outputs)
    }

    static func tensor(_ t: FlatTable, index i: Int, buffers: [Range<Int>?]) throws(TFLiteError) -> Tensor {
        let shape = try t.vector(0, elementSize: 4, "tensor \(i) shape")?.integers(Int32.self) ?? []
        var partial = 1, fits = shape.count <= 8
        for d in shape where fits {
            // Every partial product stays under 2^31, so `count` never overflows, zeros or not.
            fits = d >= 0 && d <= 1 << 24 && partial * max(d, 1) <= 1 << 31
            partial *= max(d, 1)
        }
        guard fits else {
            throw TFLiteError("tensor \(i) has shape \(shape): dimensions must be 0 to 2^24, at most 8 of them, at most 2^31 elements")
        }
        let typeCode = try t.scalar(1, Int8.self)
        let buffer = Int(try t.scalar(2, UInt32.self))
        guard buffer < max(buffers.count, 1) else { throw TFLiteError("tensor \(i) names buffer \(buffer) of \(buffers.count)") }
        var quantization: Quantization?
        if let q = try t.table(4, "tensor \(i) quantization") {
            let scales = try q.vector(2, elementSize: 4, "tensor \(i) scales")
            let zeros = try q.vector(3, elementSize: 8, "tensor \(i) zero points")?.integers(Int64.self) ?? []
            var scaleValues: [Float] = []
            for k in 0..<(scales?.count ?? 0) { scaleValues.append(try scales!.float(k)) }
            if !scaleValues.isEmpty {
                quantization = Quantization(scales: scaleValues, zeroPoints: zeros, quantizedDimension: Int(try q.scalar(6, Int32.self)))
            }
        }
        return Tensor(name: try t.string(3, "tensor \(i) name") ?? "", shape: shape, type: TensorType(rawValue: typeCode), typeCode: typeCode,
                      quantization: quantization, data: buffer < buffers.count ? buffers[buffer] : nil,
                      isVariable: try t.bool(5), isSparse: try t.table(6, "tensor \(i) sparsity") != nil)
    }

    static func options(_ code: Int, _ t: FlatTable?) throws(TFLiteError) -> Options {
        func padding(_ id: Int) throws(TFLiteError) -> Padding {
            let raw = try t?.scalar(id, Int8.self) ?? 0
            guard let p = Padding(rawValue: raw) else { throw TFLiteError("unknown padding \(raw)") }
            return p
        }
        func activation(_ id: Int) throws(TFLiteError) -> Activation {
            let raw = try t?.scalar(id, Int8.self) ?? 0
            guard let a = Activation(rawValue: raw) else { throw TFLiteError("unknown fused activation \(raw)") }
            return a
        }
        func int(_ id: Int, _ value: Int32 = 0) throws(TFLiteError) -> Int { Int(try t?.scalar(id, Int32.self, default: value) ?? value) }
        func bool(_ id: Int) throws(TFLiteError) -> Bool { try t?.bool(id) ?? false }
        func ints(_ id: Int, _ name: String) throws(TFLiteError) -> [Int]? { try t?.vector(id, elementSize: 4, name)?.integers(Int32.self) }
        switch code {
        case BuiltinOperator.conv2d:
            return .conv(padding: try padding(0), strideW: try int(1), strideH: try int(2), activation: try activation(3),
                         dilationW: try int(4, 1), dilationH: try int(5, 1))
        case BuiltinOperator.depthwiseConv2d:
            return .depthwise(padding: try padding(0), strideW: try int(1), strideH: try int(2), depthMultiplier: try int(3),
                              activation: try activation(4), dilationW: try int(5, 1), dilationH: try int(6, 1))
        case BuiltinOperator.averagePool2d, BuiltinOperator.maxPool2d:
            return .pool(padding: try padding(0), strideW: try int(1), strideH: try int(2), filterW: try int(3), filterH: try int(4),
                         activation: try activation(5))
        case BuiltinOperator.fullyConnected:
            return .fullyConnected(activation: try activation(0), weightsFormat: Int(try t?.scalar(1, Int8.self) ?? 0), keepNumDims: try bool(2))
        case BuiltinOperator.softmax: return .softmax(beta: try t?.float(0) ?? 0)
        case BuiltinOperator.concatenation: return .concatenation(axis: try int(0), activation: try activation(1))
        case BuiltinOperator.add: return .add(activation: try activation(0))
        case BuiltinOperator.mul: return .mul(activation: try activation(0))
        case BuiltinOperator.sub: return .sub(activation: try activation(0))
        case BuiltinOperator.reshape: return .reshape(newShape: try ints(0, "reshape new_shape"))
        case BuiltinOperator.mean: return .reducer(keepDims: try bool(0))
        case BuiltinOperator.squeeze: return .squeeze(dims: try ints(0, "squeeze dims") ?? [])
        case BuiltinOperator.transposeConv:
            return .transposeConv(padding: try padding(0), strideW: try int(1), strideH: try int(2), activation: try activation(3))
        case BuiltinOperator.resizeNearestNeighbor: return .resizeNearest(alignCorners: try bool(0), halfPixelCenters: try bool(1))
        case BuiltinOperator.resizeBilinear: return .resizeBilinear(alignCorners: try bool(2), halfPixelCenters: try bool(3))
        case BuiltinOperator.leakyRelu: return .leakyRelu(alpha: try t?.float(0) ?? 0)
        case BuiltinOperator.stridedSlice:
            return .stridedSlice(beginMask: try int(0), endMask: try int(1), ellipsisMask: try int(2), newAxisMask: try int(3),
                                 shrinkAxisMask: try int(4), offset: try bool(5))
        case BuiltinOperator.pack: return .pack(valuesCount: try int(0), axis: try int(1))
        default: return .none
        }
    }
}
