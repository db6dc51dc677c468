import Foundation
import Graph
import TFLiteFile

/// Reads a float32 `.tflite` (the TensorFlow Lite converter's float graphs, float16 weights
/// behind DEQUANTIZE included) into Minnow's float graph. TFLite is NHWC as Minnow is, so
/// weights keep their layout but for depthwise filters (`[1, KH, KW, C·M]` → OHWI
/// `[C·M, KH, KW, 1]`); fused activations become activation nodes; a MUL or ADD by a per-channel
/// constant folds into the convolution or dense layer before it, else becomes a batch norm
/// (`AffineFolding.swift`). The input and output
/// layouts are recorded row-major (the model's own NHWC). Example: Keras's MobileNet `.tflite`
/// becomes a graph of input `224×224×3`.
public func importFloatTFLite(_ model: TFLiteModel, inputShape: [Int]? = nil) throws(FloatImportError) -> Model {
    var importer = TFLiteFloatImporter(model: model)
    return try importer.run(inputShape: inputShape)
}

struct TFLiteFloatImporter {
    let model: TFLiteModel
    var builder = GraphBuilder(input: Shape([1, 1, 1]), seed: 0)
    /// Each TFLite tensor once known: a Minnow node (with the tensor's dims, batch included) or constant values.
    var nodes: [Int: (node: Int, dims: [Int])] = [:]
    var constants: [Int: [Float]] = [:]
    /// How many operators (and graph outputs) read each tensor.
    var readers: [Int: Int] = [:]
    /// Tensors a convolution or dense layer wrote with no activation after it (a scale may fold in).
    var foldTargets: Set<Int> = []

    init(model: TFLiteModel) {
        self.model = model
        for op in model.operators { for i in op.inputs where i >= 0 { readers[i, default: 0] += 1 } }
        for o in model.outputs { readers[o, default: 0] += 1 }
    }

    mutating func run(inputShape: [Int]?) throws(FloatImportError) -> Model {
        guard model.subgraphCount == 1 else { throw FloatImportError("the model has \(model.subgraphCount) subgraphs; Minnow imports one") }
        guard model.inputs.count == 1, model.outputs.count == 1 else {
            throw FloatImportError("the model has \(model.inputs.count) inputs and \(model.outputs.count) outputs; Minnow imports one of each")
        }
        let input = model.tensors[model.inputs[0]]
        var dims = input.shape
        if let inputShape {
            guard inputShape.count == dims.count, zip(inputShape, dims).dropFirst().allSatisfy({ $0 == $1 || $1 <= 0 }) else {
                throw FloatImportError("--input-shape \(inputShape) disagrees with the model's input \(dims)")
            }
            dims = inputShape
        }
        dims[0] = 1
        guard dims.count == 4 || dims.count == 2, dims.allSatisfy({ $0 >= 1 }), let size = checkedProduct(dims.dropFirst()), size <= Graph.maxTensorElements else {
            throw FloatImportError("input '\(input.name)' of shape \(input.shape) is not an image [1, H, W, C] or a vector [1, N]")
        }
        builder = GraphBuilder(input: Shape(dims.count == 4 ? Array(dims.dropFirst()) : [1, 1, dims[1]]), seed: 0)
        nodes[model.inputs[0]] = (0, dims)
        for (index, op) in model.operators.enumerated() {
            let name = model.operatorCodes[op.opcodeIndex].name
            let label = "operator \(index) (\(name))"
            try namingErrors(label) { try lower(op, code: model.operatorCodes[op.opcodeIndex].builtin, label: label) }
        }
        guard let result = nodes[model.outputs[0]] else { throw FloatImportError("the model's output is never computed (or is a constant)") }
        return builder.importedModel(inputName: input.name, output: result.node, notes: "imported from a float .tflite (\(model.description))",
                                     inputLayout: TensorLayout(dims: dims, order: Array(0..<dims.count)),
                                     outputLayout: TensorLayout(dims: result.dims, order: Array(0..<result.dims.count)))
    }

    // MARK: Tensors

    func constant(_ index: Int, _ label: String, _ what: String) throws(FloatImportError) -> [Float] {
        if let values = constants[index] { return values }
        guard index >= 0, let range = model.tensors[index].data else { throw FloatImportError("\(label): its \(what) must be a constant") }
        let t = model.tensors[index]
        let raw = model.bytes[range]
        let values: [Float]
        switch t.type {
        case .float32?:
            guard raw.count == 4 * t.count else { throw FloatImportError("\(label): \(what) holds \(raw.count) bytes for \(t.count) floats") }
            values = raw.withUnsafeBytes { b in (0..<t.count).map { Float(bitPattern: UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
        case .float16?:
            guard raw.count == 2 * t.count else { throw FloatImportError("\(label): \(what) holds \(raw.count) bytes for \(t.count) halves") }
            values = raw.withUnsafeBytes { b in (0..<t.count).map { Float(Float16(bitPattern: UInt16(littleEndian: b.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))) } }
        case .int32?:
            guard raw.count == 4 * t.count else { throw FloatImportError("\(label): \(what) holds \(raw.count) bytes for \(t.count) int32") }
            values = raw.withUnsafeBytes { b in (0..<t.count).map { Float(Int32(littleEndian: b.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) } }
        default:
            throw FloatImportError("\(label): \(what) of type \(t.type?.name ?? String(t.typeCode)) is not supported in a float model")
        }
        guard values.allSatisfy(\.isFinite) else { throw FloatImportError("\(label): \(what) holds a value that is not finite") }
        return values
    }

    func tensor(_ index: Int, _ label: String) throws(FloatImportError) -> (node: Int, dims: [Int]) {
        guard index >= 0, let t = nodes[index] else { throw FloatImportError("\(label): input tensor \(index) is not computed before it (or is a constant where a tensor is needed)") }
        return t
    }

    /// The node of an image input `[1, H, W, C]` (reshaped to `[H, W, C]` if needed).
    mutating func image(_ index: Int, _ label: String) throws -> (node: Int, dims: [Int]) {
        let t = try tensor(index, label)
        guard t.dims.count == 4 else { throw FloatImportError("\(label): needs an image [1, H, W, C], got \(t.dims)") }
        return (try reshaped(t.node, to: Array(t.dims.dropFirst()), label), t.dims)
    }

    mutating func reshaped(_ node: Int, to shape: [Int], _ label: String) throws -> Int {
        builder.shapes[node].dims == shape ? node : try builder.append(.reshape(Shape(shape)), [node], name: "\(label) reshape")
    }

    /// Appends `op` and its fused activation; records the output tensor with TFLite's dims. A
    /// convolution or dense layer without activation may take a following scale or offset.
    mutating func emit(_ op: Op, _ inputs: [Int], _ parameters: [Tensor] = [], fused: TFLiteModel.Activation = .none,
                       output: Int, _ label: String) throws {
        let node = try builder.append(op, inputs, parameters: parameters, name: model.tensors[output].name)
        nodes[output] = (node, [1] + builder.shapes[node].dims)
        if fused != .none { try emitActivation(fused, after: output, label) } else { foldTargets.insert(output) }
    }

    /// A fused activation applied to tensor `output`'s node.
    mutating func emitActivation(_ fused: TFLiteModel.Activation, after output: Int, _ label: String) throws {
        let f: Activation
        switch fused {
        case .relu: f = .relu
        case .relu6: f = .relu6
        case .tanh: f = .tanh
        default: throw FloatImportError("\(label): fused activation \(fused) is not supported")
        }
        nodes[output]!.node = try builder.append(.activation(f), [nodes[output]!.node], name: "\(label) \(f)")
    }

    func padding(_ p: TFLiteModel.Padding) -> Padding { p == .same ? .same : .valid }

    // MARK: Operators

    mutating func lower(_ op: TFLiteModel.Operator, code: Int, label: String) throws {
        func input(_ k: Int) -> Int { k < op.inputs.count ? op.inputs[k] : -1 }
        let out = op.outputs.first ?? -1
        guard out >= 0 else { throw FloatImportError("\(label): has no output") }
        switch (code, op.options) {
        case (BuiltinOperator.dequantize, _):
            constants[out] = try constant(input(0), label, "input")
        case let (BuiltinOperator.conv2d, .conv(pad, sw, sh, act, dw, dh)):
            let (x, xd) = try image(input(0), label)
            let f = model.tensors[input(1)].shape
            guard f.count == 4, f[3] >= 1, xd[3] % f[3] == 0 else { throw FloatImportError("\(label): filter \(f) does not fit input \(xd)") }
            var params = [Tensor(shape: f, data: try constant(input(1), label, "filter"))]
            if input(2) >= 0 { params.append(Tensor(shape: [f[0]], data: try constant(input(2), label, "bias"))) }
            try emit(.conv2d(Conv2D(outChannels: f[0], kernel: (f[1], f[2]), stride: (sh, sw), dilation: (dh, dw), padding: padding(pad),
                                    groups: xd[3] / f[3], hasBias: params.count == 2)), [x], params, fused: act, output: out, label)
        case let (BuiltinOperator.depthwiseConv2d, .depthwise(pad, sw, sh, _, act, dw, dh)):
            let (x, xd) = try image(input(0), label)
            let f = model.tensors[input(1)].shape
            guard f.count == 4, f[0] == 1, xd[3] >= 1, f[3] % xd[3] == 0 else { throw FloatImportError("\(label): filter \(f) does not fit input \(xd)") }
            let w = try constant(input(1), label, "filter")
            let (kh, kw, cout) = (f[1], f[2], f[3])
            var weight = [Float](repeating: 0, count: w.count)
            for o in 0..<cout { for y in 0..<kh { for z in 0..<kw { weight[(o * kh + y) * kw + z] = w[(y * kw + z) * cout + o] } } }
            var params = [Tensor(shape: [cout, kh, kw, 1], data: weight)]
            if input(2) >= 0 { params.append(Tensor(shape: [cout], data: try constant(input(2), label, "bias"))) }
            try emit(.conv2d(Conv2D(outChannels: cout, kernel: (kh, kw), stride: (sh, sw), dilation: (dh, dw), padding: padding(pad),
                                    groups: xd[3], hasBias: params.count == 2)), [x], params, fused: act, output: out, label)
        case let (BuiltinOperator.transposeConv, .transposeConv(pad, sw, sh, act)):
            // Inputs: output shape, filter [Cout, KH, KW, Cin], input, optional bias.
            let (x, _) = try image(input(2), label)
            let f = model.tensors[input(1)].shape
            guard f.count == 4 else { throw FloatImportError("\(label): filter \(f) is not 4-D") }
            var params = [Tensor(shape: f, data: try constant(input(1), label, "filter"))]
            if input(3) >= 0 { params.append(Tensor(shape: [f[0]], data: try constant(input(3), label, "bias"))) }
            try emit(.transposedConv2d(TransposedConv2D(outChannels: f[0], kernel: (f[1], f[2]), stride: (sh, sw), padding: padding(pad),
                                                        hasBias: params.count == 2)), [x], params, fused: act, output: out, label)
            let target = try constant(input(0), label, "output shape").map { Int($0) }
            guard let made = nodes[out], target.dropFirst().elementsEqual(made.dims.dropFirst()) else {
                throw FloatImportError("\(label): output shape \(target) is not the one TFLite's SAME/VALID rule gives")
            }
        case let (BuiltinOperator.fullyConnected, .fullyConnected(act, format, _)):
            guard format == 0 else { throw FloatImportError("\(label): shuffled weights are not supported") }
            let x = try tensor(input(0), label)
            let f = model.tensors[input(1)].shape
            guard f.count == 2, checkedProduct(x.dims.dropFirst()) == f[1] else { throw FloatImportError("\(label): weights \(f) do not fit input \(x.dims)") }
            var params = [Tensor(shape: f, data: try constant(input(1), label, "weights"))]
            if input(2) >= 0 { params.append(Tensor(shape: [f[0]], data: try constant(input(2), label, "bias"))) }
            let v = try reshaped(x.node, to: [f[1]], label)
            try emit(.dense(outFeatures: f[0], hasBias: params.count == 2), [v], params, fused: act, output: out, label)
        case let (BuiltinOperator.averagePool2d, .pool(pad, sw, sh, fw, fh, act)), let (BuiltinOperator.maxPool2d, .pool(pad, sw, sh, fw, fh, act)):
            let (x, _) = try image(input(0), label)
            let p = Pool(kernel: (fh, fw), stride: (sh, sw), padding: padding(pad))
            try emit(code == BuiltinOperator.maxPool2d ? .maxPool(p) : .averagePool(p), [x], fused: act, output: out, label)
        case let (BuiltinOperator.mean, .reducer(keepDims)):
            let (x, xd) = try image(input(0), label)
            let axes = Set(try constant(input(1), label, "axes").map { Int($0) < 0 ? Int($0) + 4 : Int($0) })
            guard axes == [1, 2] else { throw FloatImportError("\(label): MEAN over axes \(axes.sorted()) is not supported (over H and W is)") }
            try emit(.globalAveragePool, [x], output: out, label)
            nodes[out]!.dims = keepDims ? [1, 1, 1, xd[3]] : [1, xd[3]]
        case let (BuiltinOperator.add, .add(act)), let (BuiltinOperator.mul, .mul(act)):
            if var a = nodes[input(0)], var b = nodes[input(1)] {
                // MUL may broadcast one value per channel (a squeeze-excitation gate), either order.
                if code == BuiltinOperator.mul, a.dims.count == 4, checkedProduct(a.dims.dropFirst(3)) == checkedProduct(b.dims.dropFirst()), a.dims != b.dims {
                } else if code == BuiltinOperator.mul, b.dims.count == 4, checkedProduct(b.dims.dropFirst(3)) == checkedProduct(a.dims.dropFirst()), a.dims != b.dims {
                    swap(&a, &b)
                } else if a.dims != b.dims {
                    throw FloatImportError("\(label): \(code == BuiltinOperator.add ? "ADD" : "MUL") of tensors \(a.dims) and \(b.dims) is not supported (one shape, or MUL by one value per channel, is)")
                }
                let right = a.dims == b.dims ? try reshaped(b.node, to: builder.shapes[a.node].dims, label) : b.node
                let left = a.dims.count == 4 ? try reshaped(a.node, to: Array(a.dims.dropFirst()), label) : a.node
                try emit(code == BuiltinOperator.add ? .add : .mul, [left, right], fused: act, output: out, label)
                nodes[out]!.dims = a.dims
            } else {
                let (t, c) = nodes[input(0)] != nil ? (input(0), input(1)) : (input(1), input(0))
                let x = try tensor(t, label)
                let channels = x.dims.last ?? 1
                let values = try constant(c, label, "constant operand")
                guard values.count == 1 || values.count == channels, model.tensors[c].shape.dropLast().allSatisfy({ $0 == 1 }) else {
                    throw FloatImportError("\(label): a constant operand of shape \(model.tensors[c].shape) is not supported (a scalar or one per channel is)")
                }
                let per = (values.count == 1 ? [Float](repeating: values[0], count: channels) : values).map(Double.init)
                let (scale, shift) = code == BuiltinOperator.add ? (nil, per) : (per, nil)
                // Folded into the conv or dense layer that wrote x when nothing else reads it (and no activation follows it).
                if act == .none, readers[t] == 1, foldTargets.contains(t), builder.foldAffine(into: x.node, scale: scale, shift: shift) {
                    nodes[out] = x
                    foldTargets.insert(out)
                } else {
                    let v = try reshaped(x.node, to: x.dims.count == 4 ? Array(x.dims.dropFirst()) : [channels], label)
                    let node = try builder.appendAffine(v, scale: scale, shift: shift, name: model.tensors[out].name)
                    nodes[out] = (node, x.dims)
                    if act != .none { try emitActivation(act, after: out, label) }
                }
            }
        case (BuiltinOperator.reshape, _), (BuiltinOperator.squeeze, _):
            let x = try tensor(input(0), label)
            let dims = model.tensors[out].shape.map { max($0, 1) }
            guard checkedProduct(dims) == checkedProduct(x.dims) else { throw FloatImportError("\(label): \(x.dims) to \(dims) changes the element count") }
            nodes[out] = (x.node, [1] + dims.dropFirst())
        case let (BuiltinOperator.softmax, .softmax(beta)):
            guard beta == 1 else { throw FloatImportError("\(label): SOFTMAX with beta \(beta) is not supported") }
            let x = try tensor(input(0), label)
            try emit(.softmax, [x.node], output: out, label)
            nodes[out]!.dims = x.dims
        case let (BuiltinOperator.concatenation, .concatenation(axis, act)):
            var parts: [Int] = []
            var first: [Int] = []
            for k in 0..<op.inputs.count {
                let (x, xd) = try image(input(k), label)
                if first.isEmpty { first = xd }
                guard axis == 3 || axis == -1, xd.count == 4 else { throw FloatImportError("\(label): CONCATENATION along axis \(axis) is not supported (channels are)") }
                parts.append(x)
            }
            try emit(.concat, parts, fused: act, output: out, label)
        case (BuiltinOperator.pad, _):
            let (x, _) = try image(input(0), label)
            let p = try constant(input(1), label, "paddings").map { Int($0) }
            guard p.count == 8, p[0] == 0, p[1] == 0, p[6] == 0, p[7] == 0, p.allSatisfy({ (0...1 << 16).contains($0) }) else {
                throw FloatImportError("\(label): PAD \(p) is not supported (zeros around H and W are)")
            }
            try emit(.zeroPad(top: p[2], left: p[4], bottom: p[3], right: p[5]), [x], output: out, label)
        case let (BuiltinOperator.resizeNearestNeighbor, .resizeNearest(alignCorners, _)):
            let (x, xd) = try image(input(0), label)
            let size = try constant(input(1), label, "size").map { Int($0) }
            guard !alignCorners, size.count == 2, size[0] % xd[1] == 0, size[1] % xd[2] == 0 else {
                throw FloatImportError("\(label): RESIZE_NEAREST_NEIGHBOR to \(size) is not supported (whole factors without align_corners are)")
            }
            try emit(.upsampleNearest(scaleH: size[0] / xd[1], scaleW: size[1] / xd[2]), [x], output: out, label)
        case let (BuiltinOperator.resizeBilinear, .resizeBilinear(alignCorners, halfPixelCenters)):
            let (x, _) = try image(input(0), label)
            let size = try constant(input(1), label, "size").map { Int($0) }
            guard size.count == 2, size.allSatisfy({ (1...1 << 16).contains($0) }) else { throw FloatImportError("\(label): RESIZE_BILINEAR size \(size) is not two sizes") }
            try emit(.resizeBilinear(height: size[0], width: size[1], alignCorners: alignCorners, halfPixelCenters: halfPixelCenters), [x], output: out, label)
        case (BuiltinOperator.relu, _), (BuiltinOperator.relu6, _), (BuiltinOperator.logistic, _), (BuiltinOperator.tanh, _), (BuiltinOperator.hardSwish, _):
            let f: Activation = [BuiltinOperator.relu: .relu, BuiltinOperator.relu6: .relu6, BuiltinOperator.logistic: .sigmoid,
                                 BuiltinOperator.tanh: .tanh, BuiltinOperator.hardSwish: .hardSwish][code]!
            let x = try tensor(input(0), label)
            try emit(.activation(f), [x.node], output: out, label)
            nodes[out]!.dims = x.dims
        case let (BuiltinOperator.leakyRelu, .leakyRelu(alpha)):
            let x = try tensor(input(0), label)
            try emit(.activation(.leakyRelu(alpha: alpha)), [x.node], output: out, label)
            nodes[out]!.dims = x.dims
        default:
            throw FloatImportError("\(label): \(model.operatorCodes[op.opcodeIndex].name) is not supported in a float model")
        }
    }
}
