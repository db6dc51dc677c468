import Foundation
import Graph
import ONNXFile

/// Each ONNX operator as Minnow float-graph nodes. Weights are transposed to Minnow's layouts
/// (Conv `[O, I/g, KH, KW]` → OHWI, ConvTranspose `[I, O, KH, KW]` → `[O, KH, KW, I]`, Gemm
/// `[K, N]` → `[N, K]`); per-channel scales and offsets (BatchNormalization, Mul/Add/Sub/Div by
/// a constant) fold into the convolution or dense layer that made their input when nothing
/// else reads it, else become a batch norm (`AffineFolding.swift`).
extension ONNXImporter {
    mutating func lower(_ n: Onnx_NodeProto, label: String) throws -> [ONNXValue] {
        let a = Attributes(n, node: label)
        if let values = try folded(n, a, label) { return values }
        try materializeHardSigmoids(n, label)
        func unsupported(_ why: String) -> FloatImportError { FloatImportError("\(label): \(n.opType) \(why)") }
        switch n.opType {
        case "Identity", "Dropout":
            guard let v = try value(n, 0, label) else { throw unsupported("needs an input") }
            return [v]
        case "Conv":
            return [.tensor(try conv(n, a, label))]
        case "ConvTranspose":
            return [.tensor(try convTranspose(n, a, label))]
        case "BatchNormalization":
            let x = try tensor(n, 0, label)
            guard let g = try constant(n, 1, label, "scale"), let b = try constant(n, 2, label, "bias"),
                  let m = try constant(n, 3, label, "mean"), let v = try constant(n, 4, label, "variance"),
                  [g, b, m, v].allSatisfy({ $0.count == x.dims[min(1, x.dims.count - 1)] }) else {
                throw unsupported("needs constant scale, bias, mean and variance, one per channel")
            }
            let eps = Double(a.float("epsilon", 1e-5))
            guard v.values.allSatisfy({ $0 + eps > 0 }) else { throw unsupported("has a variance at or below −epsilon") }
            let s = zip(g.values, v.values).map { $0 / ($1 + eps).squareRoot() }
            let shift = (0..<s.count).map { b.values[$0] - m.values[$0] * s[$0] }
            return [.tensor(try affine(x, from: n.input[0], scale: s, shift: shift, n, label))]
        case "Add", "Sub", "Mul", "Div":
            return [try arithmetic(n, a, label)]
        case "Sum":
            var x = try tensor(n, 0, label)
            for k in 1..<max(n.input.count, 1) { x = try add(x, try tensor(n, k, label), n, label) }
            return [.tensor(x)]
        case "Relu": return [.tensor(try activation(.relu, n, label))]
        case "Sigmoid": return [.tensor(try activation(.sigmoid, n, label))]
        case "Tanh": return [.tensor(try activation(.tanh, n, label))]
        case "HardSwish": return [.tensor(try activation(.hardSwish, n, label))]
        case "LeakyRelu": return [.tensor(try activation(.leakyRelu(alpha: a.float("alpha", 0.01)), n, label))]
        case "PRelu":
            guard let slope = try constant(n, 1, label, "slope"), let first = slope.values.first,
                  slope.values.allSatisfy({ $0 == first }) else {
                throw unsupported("with a slope per channel is not supported (one slope for all channels is)")
            }
            return [.tensor(try activation(.leakyRelu(alpha: Float(first)), n, label))]
        case "HardSigmoid":
            // max(0, min(1, αx + β)) = relu6(z + 3) / 6 with z = 6αx + 6β − 3; kept pending, as
            // x · HardSigmoid(x) (alpha 1/6, beta 1/2) is hard-swish.
            let alpha = Double(a.float("alpha", 0.2)), beta = Double(a.float("beta", 0.5))
            var x = try tensor(n, 0, label)
            if abs(alpha - 1 / 6) < 1e-6, beta == 0.5 { return [.hardSigmoid(of: x)] }
            guard let axis = channelAxis(x) else { throw unsupported("on a tensor of dims \(x.dims) is not supported") }
            let c = x.dims[axis]
            x = try affine(x, from: n.input[0], scale: .init(repeating: 6 * alpha, count: c), shift: .init(repeating: 6 * beta - 3, count: c), n, label)
            return [.tensor(try activation(.hardSigmoid, x, label))]
        case "Clip":
            let low = opset < 11 ? Double(a.float("min", -.greatestFiniteMagnitude)) : try constant(n, 1, label, "min")?.values.first ?? -.infinity
            let high = opset < 11 ? Double(a.float("max", .greatestFiniteMagnitude)) : try constant(n, 2, label, "max")?.values.first ?? .infinity
            let f: Activation
            if low == 0 && high == 6 { f = .relu6 } else if low == 0 && high >= 3.4e38 { f = .relu } else {
                throw unsupported("to [\(low), \(high)] is not supported (ReLU [0, ∞) and ReLU6 [0, 6] are)")
            }
            return [.tensor(try activation(f, n, label))]
        case "MaxPool", "AveragePool":
            return [.tensor(try pool(n, a, label))]
        case "GlobalAveragePool", "GlobalMaxPool":
            let (x, t) = try image(try tensor(n, 0, label), n, label)
            let node = n.opType == "GlobalAveragePool"
                ? try builder.append(.globalAveragePool, [x], name: label)
                : try builder.append(.maxPool(Pool(kernel: (t.dims[2], t.dims[3]), stride: (1, 1))), [x], name: label)
            return [.tensor(LaidOutTensor(node: node, dims: [1, t.dims[1], 1, 1], order: LaidOutTensor.channelsLast))]
        case "ReduceMean":
            let x = try tensor(n, 0, label)
            let axes = (try axes(n, a, label) ?? []).map { $0 < 0 ? $0 + x.dims.count : $0 }
            guard x.dims.count == 4, Set(axes) == [2, 3] else { throw unsupported("over axes \(axes) is not supported (over H and W of an image is)") }
            let (node, t) = try image(x, n, label)
            let mean = try builder.append(.globalAveragePool, [node], name: label)
            let keep = a.int("keepdims", 1) != 0
            return [.tensor(LaidOutTensor(node: mean, dims: keep ? [1, t.dims[1], 1, 1] : [1, t.dims[1]],
                                          order: keep ? LaidOutTensor.channelsLast : [0, 1]))]
        case "Concat":
            return [.tensor(try concat(n, a, label))]
        case "Flatten", "Reshape", "Squeeze", "Unsqueeze":
            return [.tensor(try reshape(n, a, label))]
        case "Transpose":
            let x = try tensor(n, 0, label)
            let perm = a.ints("perm") ?? Array((0..<x.dims.count).reversed())
            guard let t = x.transposed(perm) else { throw unsupported("with perm \(perm) of a flattened tensor is not supported") }
            return [.tensor(t)]
        case "Gemm", "MatMul":
            return [.tensor(try dense(n, a, label))]
        case "Softmax":
            return [.tensor(try softmax(n, a, label))]
        case "Pad":
            return [.tensor(try pad(n, a, label))]
        case "Resize", "Upsample":
            return [.tensor(try resize(n, a, label))]
        default:
            throw FloatImportError("\(label): \(n.opType) is not supported")
        }
    }

    /// A pending `HardSigmoid(x)` read by anything but `Mul(x, ·)` becomes a hard-sigmoid node.
    mutating func materializeHardSigmoids(_ n: Onnx_NodeProto, _ label: String) throws {
        let pending = n.input.filter { if case .hardSigmoid? = values[$0] { return true } else { return false } }
        if n.opType == "Mul", n.input.count == 2, pending.count == 1 {
            let other = n.input[0] == pending[0] ? n.input[1] : n.input[0]
            if case let .hardSigmoid(of: y)? = values[pending[0]], case let .tensor(x)? = values[other],
               x.node == y.node, x.dims == y.dims, x.order == y.order { return }
        }
        for name in pending {
            guard case let .hardSigmoid(of: x)? = values[name] else { continue }
            values[name] = .tensor(try activation(.hardSigmoid, x, "\(label) \(name)"))
        }
    }

    // MARK: Convolutions and pools

    /// The padding of a window op from `auto_pad` and `pads` (`[top, left, bottom, right]`).
    func windowPadding(_ a: Attributes, input: (Int, Int), kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int), _ label: String) throws(FloatImportError) -> Padding {
        switch a.string("auto_pad", "NOTSET") {
        case "VALID": return .valid
        case "SAME_UPPER", "SAME_LOWER":
            let lower = a.string("auto_pad", "") == "SAME_LOWER"
            func split(_ i: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
                let out = (i + s - 1) / s
                return splitPadding(max((out - 1) * s + (k - 1) * d + 1 - i, 0), extraFirst: lower)
            }
            let (t, b) = split(input.0, kernel.0, stride.0, dilation.0), (l, r) = split(input.1, kernel.1, stride.1, dilation.1)
            return .explicit(top: t, left: l, bottom: b, right: r)
        case "NOTSET":
            let p = a.ints("pads") ?? [0, 0, 0, 0]
            guard p.count == 4, p.allSatisfy({ (0...1 << 16).contains($0) }) else {
                throw FloatImportError("\(label): pads \(p) are not four non-negative numbers")
            }
            return .explicit(top: p[0], left: p[1], bottom: p[2], right: p[3])
        case let other:
            throw FloatImportError("\(label): auto_pad '\(other)' is not supported")
        }
    }

    /// A total padding split in two, the odd pixel after (SAME_UPPER) or before (`extraFirst`, SAME_LOWER).
    func splitPadding(_ total: Int, extraFirst: Bool) -> (Int, Int) {
        extraFirst ? (total - total / 2, total / 2) : (total / 2, total - total / 2)
    }

    func pair(_ a: Attributes, _ name: String, _ label: String, default d: Int = 1) throws(FloatImportError) -> (Int, Int) {
        let v = a.ints(name) ?? [d, d]
        guard v.count == 2, v.allSatisfy({ (1...1 << 16).contains($0) }) else {
            throw FloatImportError("\(label): \(name) \(v) is not two positive numbers (2-D ops only)")
        }
        return (v[0], v[1])
    }

    mutating func conv(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> LaidOutTensor {
        let (x, t) = try image(try tensor(n, 0, label), n, label)
        guard let w = try constant(n, 1, label, "weight"), w.dims.count == 4 else {
            throw FloatImportError("\(label): Conv needs a constant 4-D weight (2-D convolutions only)")
        }
        let (cout, cinGroup, kh, kw) = (w.dims[0], w.dims[1], w.dims[2], w.dims[3])
        let groups = a.int("group", 1)
        guard groups >= 1, groups <= t.dims[1], cinGroup * groups == t.dims[1] else {
            throw FloatImportError("\(label): Conv weight \(w.dims) with \(groups) groups does not fit \(t.dims[1]) input channels")
        }
        if let k = a.ints("kernel_shape"), k != [kh, kw] { throw FloatImportError("\(label): kernel_shape \(k) disagrees with the weight \(w.dims)") }
        let stride = try pair(a, "strides", label), dilation = try pair(a, "dilations", label)
        let padding = try windowPadding(a, input: (t.dims[2], t.dims[3]), kernel: (kh, kw), stride: stride, dilation: dilation, label)
        var weight = [Float](repeating: 0, count: w.count)
        for o in 0..<cout { for i in 0..<cinGroup { for y in 0..<kh { for z in 0..<kw {
            weight[((o * kh + y) * kw + z) * cinGroup + i] = Float(w.values[((o * cinGroup + i) * kh + y) * kw + z])
        } } } }
        let parameters = [Tensor(shape: [cout, kh, kw, cinGroup], data: weight)] + (try bias(n, cout, label))
        let node = try builder.append(.conv2d(Conv2D(outChannels: cout, kernel: (kh, kw), stride: stride, dilation: dilation,
                                                     padding: padding, groups: groups, hasBias: parameters.count == 2)),
                                      [x], parameters: parameters, name: label)
        return output(node)
    }

    /// Input 2, the optional bias of a convolution: none, or one value per output channel.
    func bias(_ n: Onnx_NodeProto, _ channels: Int, _ label: String) throws(FloatImportError) -> [Tensor] {
        guard let b = try constant(n, 2, label, "bias") else { return [] }
        guard b.count == channels else { throw FloatImportError("\(label): \(n.opType) bias has \(b.count) values for \(channels) channels") }
        return [Tensor(shape: [channels], data: b.floats)]
    }

    mutating func convTranspose(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> LaidOutTensor {
        let (x, t) = try image(try tensor(n, 0, label), n, label)
        guard let w = try constant(n, 1, label, "weight"), w.dims.count == 4, w.dims[0] == t.dims[1] else {
            throw FloatImportError("\(label): ConvTranspose needs a constant 4-D weight [\(t.dims[1]), Cout, KH, KW]")
        }
        guard a.int("group", 1) == 1 else { throw FloatImportError("\(label): ConvTranspose with groups is not supported") }
        guard try pair(a, "dilations", label) == (1, 1) else { throw FloatImportError("\(label): ConvTranspose with dilation is not supported") }
        let (cin, cout, kh, kw) = (w.dims[0], w.dims[1], w.dims[2], w.dims[3])
        let stride = try pair(a, "strides", label)
        let outputPadding = a.ints("output_padding") ?? [0, 0]
        guard outputPadding.count == 2, outputPadding.allSatisfy({ $0 >= 0 }) else {
            throw FloatImportError("\(label): output_padding \(outputPadding) is not two non-negative numbers")
        }
        let extra = (outputPadding[0], outputPadding[1])
        var padding: Padding
        if let shape = a.ints("output_shape") {
            let target = shape.suffix(2).map { $0 }
            guard target.count == 2 else { throw FloatImportError("\(label): output_shape \(shape) is not 2-D") }
            func split(_ i: Int, _ k: Int, _ s: Int, _ o: Int, _ out: Int) -> (Int, Int) {
                splitPadding(s * (i - 1) + o + k - out, extraFirst: a.string("auto_pad", "NOTSET") != "SAME_UPPER")
            }
            let (top, bottom) = split(t.dims[2], kh, stride.0, extra.0, target[0]), (left, right) = split(t.dims[3], kw, stride.1, extra.1, target[1])
            padding = .explicit(top: top, left: left, bottom: bottom, right: right)
        } else if a.string("auto_pad", "NOTSET").hasPrefix("SAME") {
            // SAME makes out = in · stride: total padding k − stride + output padding, split per auto_pad.
            let lower = a.string("auto_pad", "") == "SAME_LOWER"
            func split(_ k: Int, _ s: Int, _ o: Int) -> (Int, Int) { splitPadding(max(k - s + o, 0), extraFirst: lower) }
            let (top, bottom) = split(kh, stride.0, extra.0), (left, right) = split(kw, stride.1, extra.1)
            padding = .explicit(top: top, left: left, bottom: bottom, right: right)
        } else {
            padding = try windowPadding(a, input: (t.dims[2], t.dims[3]), kernel: (kh, kw), stride: stride, dilation: (1, 1), label)
            if case .valid = padding { padding = .explicit(top: 0, left: 0, bottom: 0, right: 0) }
        }
        if case let .explicit(top, left, bottom, right) = padding, [top, left, bottom, right].contains(where: { $0 < 0 }) {
            throw FloatImportError("\(label): ConvTranspose output_shape needs negative padding")
        }
        var weight = [Float](repeating: 0, count: w.count)
        for o in 0..<cout { for i in 0..<cin { for y in 0..<kh { for z in 0..<kw {
            weight[((o * kh + y) * kw + z) * cin + i] = Float(w.values[((i * cout + o) * kh + y) * kw + z])
        } } } }
        let parameters = [Tensor(shape: [cout, kh, kw, cin], data: weight)] + (try bias(n, cout, label))
        guard extra.0 < stride.0, extra.1 < stride.1 else { throw FloatImportError("\(label): output_padding must be smaller than the stride") }
        let node = try builder.append(.transposedConv2d(TransposedConv2D(outChannels: cout, kernel: (kh, kw), stride: stride, padding: padding,
                                                                         outputPadding: extra, hasBias: parameters.count == 2)),
                                      [x], parameters: parameters, name: label)
        return output(node)
    }

    mutating func pool(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> LaidOutTensor {
        var (x, t) = try image(try tensor(n, 0, label), n, label)
        guard n.output.count == 1 || n.output[1].isEmpty else { throw FloatImportError("\(label): MaxPool's indices output is not supported") }
        guard try pair(a, "dilations", label) == (1, 1) else { throw FloatImportError("\(label): \(n.opType) with dilation is not supported") }
        let kernel = try pair(a, "kernel_shape", label), stride = try pair(a, "strides", label)
        var padding = try windowPadding(a, input: (t.dims[2], t.dims[3]), kernel: kernel, stride: stride, dilation: (1, 1), label)
        guard case var .explicit(top, left, bottom, right) = padding else { preconditionFailure("windowPadding gives explicit or valid") }
        if n.opType == "AveragePool" && a.int("count_include_pad", 0) != 0 && top + left + bottom + right > 0 {
            // Padded zeros counted: pad first, then pool without padding.
            x = try builder.append(.zeroPad(top: top, left: left, bottom: bottom, right: right), [x], name: "\(label) pad")
            t.dims[2] += top + bottom; t.dims[3] += left + right
            (top, left, bottom, right) = (0, 0, 0, 0)
        }
        if a.int("ceil_mode", 0) != 0 {
            // Rounding the output up adds a last window that starts inside the input (or its
            // leading padding) and runs past the end: the cells past it are padding the pool skips.
            func extra(_ i: Int, _ k: Int, _ s: Int, _ before: Int, _ after: Int) -> Int {
                var out = (i + before + after - k + s - 1) / s + 1
                if (out - 1) * s >= i + before { out -= 1 }
                return max((out - 1) * s + k - (i + before + after), 0)
            }
            bottom += extra(t.dims[2], kernel.0, stride.0, top, bottom)
            right += extra(t.dims[3], kernel.1, stride.1, left, right)
        }
        padding = .explicit(top: top, left: left, bottom: bottom, right: right)
        let p = Pool(kernel: kernel, stride: stride, padding: padding)
        let node = try builder.append(n.opType == "MaxPool" ? .maxPool(p) : .averagePool(p), [x], name: label)
        return output(node)
    }

    /// The NCHW tensor a node holding `[H, W, C]` stands for.
    func output(_ node: Int) -> LaidOutTensor {
        let s = builder.shapes[node].dims
        return LaidOutTensor(node: node, dims: [1, s[2], s[0], s[1]], order: LaidOutTensor.channelsLast)
    }

    // MARK: Element-wise

    mutating func activation(_ f: Activation, _ n: Onnx_NodeProto, _ label: String) throws -> LaidOutTensor {
        try activation(f, try tensor(n, 0, label), label)
    }

    mutating func activation(_ f: Activation, _ x: LaidOutTensor, _ label: String) throws -> LaidOutTensor {
        var t = x
        t.node = try builder.append(.activation(f), [x.node], name: label)
        return t
    }

    /// The axis a per-channel constant runs along: NCHW's 1 for images, the last for vectors.
    func channelAxis(_ t: LaidOutTensor) -> Int? { t.dims.count == 4 || t.dims.count == 2 ? 1 : nil }

    /// One value per channel of `t` from a constant that varies along the channel axis only.
    func perChannel(_ c: ConstantTensor, _ t: LaidOutTensor) -> [Double]? {
        guard let axis = channelAxis(t), c.dims.count <= t.dims.count else { return nil }
        let lead = t.dims.count - c.dims.count, channels = t.dims[axis]
        for (k, d) in c.dims.enumerated() where d != 1 {
            guard lead + k == axis, d == channels else { return nil }
        }
        return c.count == 1 ? [Double](repeating: c.values[0], count: channels) : c.values
    }

    mutating func arithmetic(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> ONNXValue {
        let lhs = try value(n, 0, label)
        var rhs = try value(n, 1, label)
        // Before opset 7, `broadcast: 1` aligned the second operand's dims at `axis` (default: the end).
        if opset < 7, a.int("broadcast", 0) != 0, case let .tensor(t)? = lhs, case var .constant(c)? = rhs {
            let axis = a.int("axis", t.dims.count - c.dims.count)
            if axis >= 0, axis + c.dims.count <= t.dims.count {
                c.dims = [Int](repeating: 1, count: axis) + c.dims + [Int](repeating: 1, count: t.dims.count - axis - c.dims.count)
                rhs = .constant(c)
            }
        }
        func perChannelOf(_ c: ConstantTensor, _ t: LaidOutTensor) throws(FloatImportError) -> [Double] {
            guard let v = perChannel(c, t) else {
                throw FloatImportError("\(label): \(n.opType) by a constant of dims \(c.dims) on a tensor of dims \(t.dims) is not supported (a scalar or one value per channel is)")
            }
            return v
        }
        guard n.input.count == 2 else { throw FloatImportError("\(label): \(n.opType) needs two inputs") }
        let source = n.input[lhs.map { if case .tensor = $0 { return 0 } else { return 1 } } ?? 1]
        switch (n.opType, lhs, rhs) {
        case let ("Add", .tensor(t), .constant(c)), let ("Add", .constant(c), .tensor(t)):
            return .tensor(try affine(t, from: source, scale: nil, shift: try perChannelOf(c, t), n, label))
        case let ("Sub", .tensor(t), .constant(c)):
            return .tensor(try affine(t, from: source, scale: nil, shift: try perChannelOf(c, t).map { -$0 }, n, label))
        case let ("Sub", .constant(c), .tensor(t)):
            let v = try perChannelOf(c, t)
            return .tensor(try affine(t, from: source, scale: v.map { _ in -1 }, shift: v, n, label))
        case let ("Mul", .tensor(t), .constant(c)), let ("Mul", .constant(c), .tensor(t)):
            return .tensor(try affine(t, from: source, scale: try perChannelOf(c, t), shift: nil, n, label))
        case let ("Div", .tensor(t), .constant(c)):
            let v = try perChannelOf(c, t)
            guard !v.contains(0) else { throw FloatImportError("\(label): Div by a constant holding 0") }
            return .tensor(try affine(t, from: source, scale: v.map { 1 / $0 }, shift: nil, n, label))
        case let ("Add", .tensor(x), .tensor(y)):
            return .tensor(try add(x, y, n, label))
        case let ("Mul", .tensor(x), .hardSigmoid(of: _)), let ("Mul", .hardSigmoid(of: _), .tensor(x)):
            var t = x
            t.node = try builder.append(.activation(.hardSwish), [x.node], name: label)
            return .tensor(t)
        case let ("Mul", .tensor(x), .tensor(y)):
            return .tensor(try multiply(x, y, n, label))
        case (_, .tensor, .tensor):
            throw FloatImportError("\(label): \(n.opType) of two tensors is not supported (Add of one shape, Mul of one shape or by one value per channel are)")
        default:
            throw FloatImportError("\(label): \(n.opType) of these inputs is not supported")
        }
    }

    mutating func add(_ x: LaidOutTensor, _ y: LaidOutTensor, _ n: Onnx_NodeProto, _ label: String) throws -> LaidOutTensor {
        guard let t = try sameShape(.add, x, y, label) else {
            throw FloatImportError("\(label): \(n.opType) of tensors \(x.dims) and \(y.dims) needs broadcasting or a transpose, which is not supported")
        }
        return t
    }

    /// `op` (add, mul) of two tensors of one shape stored alike (y reshaped to x's memory shape if
    /// needed); nil when they differ in shape or layout.
    mutating func sameShape(_ op: Op, _ x: LaidOutTensor, _ y: LaidOutTensor, _ label: String) throws -> LaidOutTensor? {
        guard x.dims == y.dims, x.gather == nil, let y2 = y.relabeled(x.order) else { return nil }
        let right = try node(y2, shape: builder.shapes[x.node].dims, label)
        var t = x
        t.node = try builder.append(op, [x.node, right], name: label)
        return t
    }

    /// x · y of one shape, or an image by one value per channel (a squeeze-excitation gate, either order).
    mutating func multiply(_ x: LaidOutTensor, _ y: LaidOutTensor, _ n: Onnx_NodeProto, _ label: String) throws -> LaidOutTensor {
        if let t = try sameShape(.mul, x, y, label) { return t }
        func isGate(_ g: LaidOutTensor, of image: LaidOutTensor) -> Bool {
            image.dims.count == 4 && g.gather == nil && g.dims.count == 4 && g.dims == [1, image.dims[1], 1, 1]
        }
        guard isGate(y, of: x) || isGate(x, of: y) else {
            throw FloatImportError("\(label): Mul of tensors \(x.dims) and \(y.dims) is not supported (of one shape, or an image by one value per channel, is)")
        }
        let (image, gate) = isGate(y, of: x) ? (x, y) : (y, x)
        let (a, t) = try self.image(image, n, label)
        var out = t
        out.node = try builder.append(.mul, [a, gate.node], name: label)
        return out
    }

    /// y = scale · x + shift per channel, folded into the node that made x when only this reads it.
    mutating func affine(_ x: LaidOutTensor, from source: String, scale: [Double]?, shift: [Double]?, _ n: Onnx_NodeProto, _ label: String) throws -> LaidOutTensor {
        guard let axis = channelAxis(x), x.gather == nil, let t = x.dims.count == 4 ? x.relabeled(LaidOutTensor.channelsLast) : x else {
            throw FloatImportError("\(label): \(n.opType) per channel on a tensor of dims \(x.dims) in this layout is not supported")
        }
        let channels = t.dims[axis]
        if readers[source] == 1, foldTargets.contains(source), builder.foldAffine(into: t.node, scale: scale, shift: shift) {
            foldTargets.insert(n.output[0])
            return t
        }
        let x2 = try node(t, shape: t.dims.count == 4 ? [t.dims[2], t.dims[3], channels] : [channels], label)
        var out = t
        out.node = try builder.appendAffine(x2, scale: scale, shift: shift, name: label)
        return out
    }

    // MARK: Shapes

    mutating func concat(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> LaidOutTensor {
        var parts: [LaidOutTensor] = []
        for k in 0..<n.input.count { parts.append(try tensor(n, k, label)) }
        guard let first = parts.first else { throw FloatImportError("\(label): Concat needs inputs") }
        let rank = first.dims.count, axis = a.int("axis", 1) < 0 ? a.int("axis", 1) + rank : a.int("axis", 1)
        if parts.count == 1 { return first }
        var nodes: [Int] = []
        if rank == 4 && axis == 1 {
            for p in parts {
                let (x, t) = try image(p, n, label)
                guard t.dims[2] == first.dims[2], t.dims[3] == first.dims[3] else { throw FloatImportError("\(label): Concat of images of different sizes") }
                nodes.append(x)
            }
        } else if rank == 2 && axis == 1 {
            for p in parts {
                guard p.gather == nil else { throw FloatImportError("\(label): Concat of a flattened image in NCHW order is not supported") }
                nodes.append(try node(p, shape: [1, 1, p.dims[1]], label))
            }
        } else {
            throw FloatImportError("\(label): Concat along axis \(axis) of rank-\(rank) tensors is not supported (channels of images and vectors are)")
        }
        let node = try builder.append(.concat, nodes, name: label)
        let channels = builder.shapes[node].channels
        return rank == 4 ? LaidOutTensor(node: node, dims: [1, channels, first.dims[2], first.dims[3]], order: LaidOutTensor.channelsLast)
            : LaidOutTensor(node: node, dims: [1, channels], order: [0, 1])
    }

    mutating func reshape(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> LaidOutTensor {
        let x = try tensor(n, 0, label)
        let rank = x.dims.count
        var dims: [Int]
        switch n.opType {
        case "Flatten":
            let axis = a.int("axis", 1) < 0 ? a.int("axis", 1) + rank : a.int("axis", 1)
            guard (0...rank).contains(axis) else { throw FloatImportError("\(label): Flatten axis \(axis) is out of range") }
            dims = [x.dims[..<axis].reduce(1, *), x.dims[axis...].reduce(1, *)]
        case "Reshape":
            guard let target = try constant(n, 1, label, "shape") else { throw FloatImportError("\(label): Reshape needs a shape") }
            dims = try resolvedShape(target.ints, of: x.dims, allowZero: a.int("allowzero", 0) != 0, label)
        case "Squeeze":
            let axes = (try axes(n, a, label) ?? x.dims.indices.filter { x.dims[$0] == 1 }).map { $0 < 0 ? $0 + rank : $0 }
            guard axes.allSatisfy({ (0..<rank).contains($0) && x.dims[$0] == 1 }) else { throw FloatImportError("\(label): Squeeze of axes \(axes) whose size is not 1") }
            dims = x.dims.indices.filter { !axes.contains($0) }.map { x.dims[$0] }
        default:  // Unsqueeze
            guard let given = try axes(n, a, label) else { throw FloatImportError("\(label): Unsqueeze needs axes") }
            let out = rank + given.count
            dims = x.dims
            for axis in given.map({ $0 < 0 ? $0 + out : $0 }).sorted() {
                guard (0...dims.count).contains(axis) else { throw FloatImportError("\(label): Unsqueeze axis \(axis) is out of range") }
                dims.insert(1, at: axis)
            }
        }
        switch x.reshaped(dims) {
        case let .free(t)?:
            return t
        case let .shuffleThenFree(groups, channels, t)?:
            let before = try node(x, shape: [1, x.dims.reduce(1, *) / channels, channels], label)
            var out = t
            out.node = try builder.append(.channelShuffle(groups: groups), [before], name: label)
            return out
        case nil:
            guard dims.count == 2, dims[0] == 1, x.gather == nil else {
                throw FloatImportError("\(label): \(n.opType) from \(x.dims) to \(dims) reorders data in a layout Minnow has no transpose for")
            }
            // A flatten of an NCHW image held NHWC: the dense layer reading it permutes its weights.
            return LaidOutTensor(node: x.node, dims: dims, order: [0, 1], gather: TensorLayout(dims: x.dims, order: x.order).userIndexOfMemory)
        }
    }

    /// The `axes` attribute (before opset 13/18) or the constant input 1 that replaced it.
    func axes(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws(FloatImportError) -> [Int]? {
        let input = try constant(n, 1, label, "axes")?.ints
        return a.ints("axes") ?? input
    }

    mutating func dense(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> LaidOutTensor {
        let x = try tensor(n, 0, label)
        guard let b = try constant(n, 1, label, "weight"), b.dims.count == 2 else {
            throw FloatImportError("\(label): \(n.opType) needs a constant 2-D weight")
        }
        guard x.dims.dropLast().allSatisfy({ $0 == 1 }), let k = x.dims.last else {
            throw FloatImportError("\(label): \(n.opType) of a \(x.dims) tensor is not supported (one row of features is)")
        }
        let transB = n.opType == "Gemm" && a.int("transB", 0) != 0
        guard n.opType == "MatMul" || a.int("transA", 0) == 0 else { throw FloatImportError("\(label): Gemm with transA is not supported") }
        let (rows, cols) = transB ? (b.dims[1], b.dims[0]) : (b.dims[0], b.dims[1])
        guard rows == k else { throw FloatImportError("\(label): weight \(b.dims) does not take \(k) features") }
        let alpha = n.opType == "Gemm" ? Double(a.float("alpha", 1)) : 1
        let gather = x.gather ?? Array(0..<k)
        var weight = [Float](repeating: 0, count: k * cols)
        for o in 0..<cols { for m in 0..<k {
            let i = gather[m]
            weight[o * k + m] = Float(alpha * (transB ? b.values[o * k + i] : b.values[i * cols + o]))
        } }
        var parameters = [Tensor(shape: [cols, k], data: weight)]
        if n.opType == "Gemm", let c = try constant(n, 2, label, "bias") {
            guard let v = c.broadcast(to: [cols]) ?? c.broadcast(to: [1, cols]) else {
                throw FloatImportError("\(label): Gemm bias of dims \(c.dims) is not one per output")
            }
            let beta = Double(a.float("beta", 1))
            parameters.append(Tensor(shape: [cols], data: v.map { Float($0 * beta) }))
        }
        let input = try node(x, shape: [k], label)
        let node = try builder.append(.dense(outFeatures: cols, hasBias: parameters.count == 2), [input], parameters: parameters, name: label)
        return LaidOutTensor(node: node, dims: Array(x.dims.dropLast()) + [cols], order: Array(0..<x.dims.count))
    }

    mutating func softmax(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> LaidOutTensor {
        let x = try tensor(n, 0, label)
        let rank = x.dims.count
        var axis = a.int("axis", opset < 13 ? 1 : -1)
        if axis < 0 { axis += rank }
        guard (0..<rank).contains(axis) else { throw FloatImportError("\(label): Softmax axis \(a.int("axis", 0)) is out of range for rank \(rank)") }
        let reduced = opset < 13 ? Array(axis..<rank) : [axis]
        let wide = reduced.filter { x.dims[$0] != 1 }
        let memory = LaidOutTensor.significant(x.order, x.dims)
        guard x.gather == nil, wide.count <= 1, wide.isEmpty || memory.last == wide[0] else {
            throw FloatImportError("\(label): Softmax over axis \(axis) of \(x.dims) is not over the innermost axis in memory, which is all Minnow's softmax does")
        }
        let inner = wide.first.map { x.dims[$0] } ?? 1
        let total = x.dims.reduce(1, *)
        let input = try node(x, shape: total == inner ? [inner] : [1, total / inner, inner], label)
        var t = x
        t.node = try builder.append(.softmax, [input], name: label)
        return t
    }

    mutating func pad(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> LaidOutTensor {
        guard a.string("mode", "constant") == "constant" else {
            throw FloatImportError("\(label): Pad mode '\(a.string("mode", ""))' is not supported (constant zeros are)")
        }
        let pads = opset < 11 ? a.ints("pads") ?? [] : (try constant(n, 1, label, "pads"))?.ints ?? []
        let fill = opset < 11 ? Double(a.float("value", 0)) : (try constant(n, 2, label, "constant_value"))?.values.first ?? 0
        if n.input.count > 3, !n.input[3].isEmpty { throw FloatImportError("\(label): Pad with axes is not supported") }
        guard fill == 0 else { throw FloatImportError("\(label): Pad with the value \(fill) is not supported (zeros are)") }
        let (x, _) = try image(try tensor(n, 0, label), n, label)
        guard pads.count == 8, pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0, pads.allSatisfy({ (0...1 << 16).contains($0) }) else {
            throw FloatImportError("\(label): Pad \(pads) is not supported (non-negative zeros around H and W of an image are)")
        }
        let node = try builder.append(.zeroPad(top: pads[2], left: pads[3], bottom: pads[6], right: pads[7]), [x], name: label)
        return output(node)
    }

    /// Resize and Upsample: nearest by whole factors (a pixel repeat), or linear (TFLite's
    /// bilinear rule, which ONNX's half_pixel, pytorch_half_pixel, align_corners and asymmetric
    /// coordinates match when each output size is the input size times the scale exactly).
    mutating func resize(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws -> LaidOutTensor {
        let mode = a.string("mode", "nearest")
        guard ["nearest", "linear", "bilinear"].contains(mode) else {
            throw FloatImportError("\(label): \(n.opType) mode '\(mode)' is not supported (nearest and linear are)")
        }
        guard a.int("antialias", 0) == 0, !a.has("axes"), a.string("keep_aspect_ratio_policy", "stretch") == "stretch" else {
            throw FloatImportError("\(label): Resize with antialias, axes or a kept aspect ratio is not supported")
        }
        let (x, t) = try image(try tensor(n, 0, label), n, label)
        var factors: [Double]
        if n.opType == "Upsample" {
            factors = opset < 9 ? (a.floats("scales") ?? []).map(Double.init) : (try constant(n, 1, label, "scales"))?.values ?? []
        } else if let scales = try constant(n, 2, label, "scales"), !scales.values.isEmpty {
            factors = scales.values
        } else if let sizes = try constant(n, 3, label, "sizes"), sizes.count == 4 {
            factors = zip(sizes.values, t.dims).map { $0 / Double($1) }
        } else {
            throw FloatImportError("\(label): Resize needs constant scales or sizes")
        }
        guard factors.count == 4, factors[0] == 1, factors[1] == 1, factors[2] > 0, factors[3] > 0, factors[2] <= 4096, factors[3] <= 4096 else {
            throw FloatImportError("\(label): \(n.opType) by \(factors) is not supported (over H and W, at most 4,096 times, is)")
        }
        let coordinates = n.opType == "Upsample" ? "asymmetric" : a.string("coordinate_transformation_mode", "half_pixel")
        if mode != "nearest" {
            let size = [t.dims[2], t.dims[3]].enumerated().map { Double($1) * factors[2 + $0] }
            guard size.allSatisfy({ $0 == $0.rounded() && $0 >= 1 }) else {
                throw FloatImportError("\(label): \(n.opType) by \(factors) gives no whole output size for \(t.dims); give sizes")
            }
            let halfPixel = ["half_pixel", "pytorch_half_pixel"].contains(coordinates)
            guard halfPixel || ["align_corners", "asymmetric"].contains(coordinates) else {
                throw FloatImportError("\(label): linear Resize with \(coordinates) coordinates is not supported")
            }
            let node = try builder.append(.resizeBilinear(height: Int(size[0]), width: Int(size[1]), alignCorners: coordinates == "align_corners",
                                                          halfPixelCenters: halfPixel), [x], name: label)
            return output(node)
        }
        let rounding = a.string("nearest_mode", "round_prefer_floor")
        guard factors[2] >= 1, factors[3] >= 1, factors[2] == factors[2].rounded(), factors[3] == factors[3].rounded() else {
            throw FloatImportError("\(label): nearest \(n.opType) by \(factors) is not supported (whole factors over H and W are)")
        }
        // With whole factors, half-pixel centres under any rounding and asymmetric with floor repeat each pixel.
        guard n.opType == "Upsample" || ["half_pixel", "pytorch_half_pixel"].contains(coordinates)
                || (coordinates == "asymmetric" && rounding == "floor") else {
            throw FloatImportError("\(label): Resize with \(coordinates) coordinates and \(rounding) rounding is not supported")
        }
        let node = try builder.append(.upsampleNearest(scaleH: Int(factors[2]), scaleW: Int(factors[3])), [x], name: label)
        return output(node)
    }
}
