import Foundation
import Q8Build
import Runtime
import TFLiteFile

/// One lowering per TFLite builtin operator: its tensors checked, its TFLM parameters derived,
/// its model.q8 ops emitted.
extension TFLiteImporter {
    mutating func lower(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let code = model.operatorCodes[op.opcodeIndex]
        guard code.custom == nil, code.builtin != BuiltinOperator.custom else { throw Unsupported("") }
        guard supportedBuiltinOperators.contains(code.builtin) else { throw Unsupported("") }
        let splits = code.builtin == BuiltinOperator.split || code.builtin == BuiltinOperator.splitV
        guard op.outputs.count == 1 || splits, op.outputs.allSatisfy({ $0 >= 0 }), !op.outputs.isEmpty else { throw Unsupported("expects one output") }
        switch code.builtin {
        case BuiltinOperator.conv2d: try convolution(op, depthwise: false)
        case BuiltinOperator.depthwiseConv2d: try convolution(op, depthwise: true)
        case BuiltinOperator.fullyConnected: try fullyConnected(op)
        case BuiltinOperator.transposeConv: try transposeConvolution(op)
        case BuiltinOperator.add: try add(op)
        case BuiltinOperator.mul: try mul(op)
        case BuiltinOperator.sub: try sub(op)
        case BuiltinOperator.maximum, BuiltinOperator.minimum: try maximumMinimum(op, maximum: code.builtin == BuiltinOperator.maximum)
        case BuiltinOperator.averagePool2d, BuiltinOperator.maxPool2d:
            try pool(op, average: code.builtin == BuiltinOperator.averagePool2d)
        case BuiltinOperator.mean: try mean(op)
        case BuiltinOperator.softmax: try softmax(op)
        case BuiltinOperator.concatenation: try concatenation(op)
        case BuiltinOperator.reshape, BuiltinOperator.squeeze: try reshape(op)
        case BuiltinOperator.pad, BuiltinOperator.padV2: try pad(op)
        case BuiltinOperator.transpose: try transpose(op)
        case BuiltinOperator.resizeNearestNeighbor, BuiltinOperator.resizeBilinear: try resize(op)
        case BuiltinOperator.shape: try shape(op)
        case BuiltinOperator.stridedSlice: try stridedSlice(op)
        case BuiltinOperator.pack: try pack(op)
        case BuiltinOperator.split, BuiltinOperator.splitV: try split(op, sizes: code.builtin == BuiltinOperator.splitV)
        default: try elementwise(op, code.builtin)
        }
    }

    // MARK: Shared derivations

    func input(_ op: TFLiteModel.Operator, _ k: Int) throws(Unsupported) -> Int {
        guard k < op.inputs.count, op.inputs[k] >= 0 else { throw Unsupported("input \(k) is missing") }
        return op.inputs[k]
    }

    /// The output clamp of a fused activation with TFLite's `CalculateActivationRangeQuantized`.
    func activationClamp(_ activation: TFLiteModel.Activation, _ q: AffineQuantization) throws(Unsupported) -> (min: Int32, max: Int32) {
        switch activation {
        case .none: return FusedActivation.none.range(scale: q.scale, zeroPoint: Int32(q.zeroPoint))
        case .relu: return FusedActivation.relu.range(scale: q.scale, zeroPoint: Int32(q.zeroPoint))
        case .relu6: return FusedActivation.relu6.range(scale: q.scale, zeroPoint: Int32(q.zeroPoint))
        case .reluN1To1:
            func level(_ f: Float) -> Int32 { Int32(q.zeroPoint) &+ saturatingInt32((f / q.scale).rounded(.toNearestOrAwayFromZero)) }
            return (max(-128, level(-1)), min(127, level(1)))
        case .tanh, .signBit: throw Unsupported("fused \(activation) activation")
        }
    }

    /// TFLite's explicit padding before the window along one axis (`ComputePaddingHeightWidth`),
    /// after checking that the file's output size is the one the padding rule gives.
    func explicitPadding(_ rule: TFLiteModel.Padding, input: Int, output: Int, kernel: Int, stride: Int, dilation: Int) throws(Unsupported) -> Int {
        guard kernel >= 1, stride >= 1, dilation >= 1 else { throw Unsupported("kernel, stride and dilation must be positive") }
        // model.q8's validator takes sizes up to 2^16 (Q8Model.sizeLimit); larger ones would
        // overflow the 32-bit padding word before it could refuse them.
        guard kernel <= 1 << 16, stride <= 1 << 16, dilation <= 1 << 16 else {
            throw Unsupported("kernel \(kernel), stride \(stride) or dilation \(dilation) is larger than 65,536")
        }
        let effective = (kernel - 1) * dilation + 1
        let expected = rule == .same ? (input + stride - 1) / stride : (input - effective + stride) / stride
        guard expected == output, output >= 1 else {
            throw Unsupported("output size \(output) is not what \(rule) padding gives (\(expected)) for input \(input), kernel \(kernel)")
        }
        return max((output - 1) * stride + effective - input, 0) / 2
    }

    /// Per-output-channel filter scales (a per-tensor scale repeated), zero points all 0.
    func filterScales(_ t: Int, channels: Int) throws(Unsupported) -> [Float] {
        let f = tensor(t)
        guard f.type == .int8 else { throw Unsupported("filter tensor \(t) is \(f.type?.name ?? "type \(f.typeCode)"), not int8") }
        guard let q = f.quantization, q.scales.count == 1 || q.scales.count == channels,
              q.scales.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw Unsupported("filter tensor \(t) has no per-tensor or per-channel scales for \(channels) channels")
        }
        guard q.zeroPoints.allSatisfy({ $0 == 0 }) else { throw Unsupported("filter tensor \(t) has non-zero zero points") }
        return q.scales.count == 1 ? [Float](repeating: q.scales[0], count: channels) : q.scales
    }

    /// The int32 bias in input `k`, or nil when absent (`channels` values).
    func bias(_ op: TFLiteModel.Operator, _ k: Int, channels: Int) throws(Unsupported) -> [Int32]? {
        guard k < op.inputs.count, op.inputs[k] >= 0 else { return nil }
        let b = tensor(op.inputs[k])
        guard b.type == .int32 else { throw Unsupported("bias is \(b.type?.name ?? "type \(b.typeCode)"), not int32") }
        let values = try constant(op.inputs[k], Int32.self)
        guard values.count == channels else { throw Unsupported("bias has \(values.count) values for \(channels) channels") }
        return values
    }

    /// The requantization and bias constants of a channel-wise op, in the program.
    mutating func channelConstants(multipliers: [Int32], shifts: [Int32], bias: [Int32]?) -> (Int, Int, Int?) {
        let n = multipliers.count
        return (program.constant(multipliers, shape: [n]), program.constant(shifts, shape: [n]),
                bias.map { program.constant($0, shape: [n]) })
    }

    /// An activation's program shape as an image `[H, W, C]`.
    func image(_ t: Int) throws(Unsupported) -> [Int] {
        let s = tensor(t).shape
        guard s.count == 4, s[0] == 1, s.allSatisfy({ $0 >= 1 }) else { throw Unsupported("tensor \(t) has shape \(s), not [1, H, W, C]") }
        return Array(s.dropFirst())
    }

    // MARK: Operators

    mutating func convolution(_ op: TFLiteModel.Operator, depthwise: Bool) throws(Unsupported) {
        let x = try input(op, 0), f = try input(op, 1), y = op.outputs[0]
        let (xs, ys) = (try image(x), try image(y))
        let fs = tensor(f).shape
        guard fs.count == 4, fs.allSatisfy({ $0 >= 1 }) else { throw Unsupported("filter shape \(fs) is not 4-D") }
        let (padding, sw, sh, activation, dw, dh): (TFLiteModel.Padding, Int, Int, TFLiteModel.Activation, Int, Int)
        switch op.options {
        case let .conv(p, a, b, c, d, e): (padding, sw, sh, activation, dw, dh) = (p, a, b, c, d, e)
        case let .depthwise(p, a, b, _, c, d, e): (padding, sw, sh, activation, dw, dh) = (p, a, b, c, d, e)
        default: throw Unsupported("options are missing")
        }
        let cin = xs[2], cout = ys[2], kh = fs[1], kw = fs[2]
        let groups: Int
        if depthwise {
            guard fs[0] == 1, fs[3] == cout, cout % cin == 0 else { throw Unsupported("depthwise filter \(fs) does not fit \(cin) → \(cout) channels") }
            groups = cin
        } else {
            guard fs[0] == cout, fs[3] >= 1, cin % fs[3] == 0, cout % (cin / fs[3]) == 0 else {
                throw Unsupported("filter \(fs) does not fit \(cin) → \(cout) channels")
            }
            groups = cin / fs[3]
        }
        let padTop = try explicitPadding(padding, input: xs[0], output: ys[0], kernel: kh, stride: sh, dilation: dh)
        let padLeft = try explicitPadding(padding, input: xs[1], output: ys[1], kernel: kw, stride: sw, dilation: dw)
        let xq = try quantization(x), yq = try quantization(y)
        let (m, s) = channelMultipliers(inputScale: xq.scale, weightScales: try filterScales(f, channels: cout), outputScale: yq.scale)
        let weights = try constant(f, Int8.self)
        let biasValues = try bias(op, 2, channels: cout)
        let clamp = try activationClamp(activation, yq)
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        let (mi, si, bi) = channelConstants(multipliers: m, shifts: s, bias: biasValues)
        let window = ConvWindow(stride: (sh, sw), dilation: (dh, dw), padTop: padTop, padLeft: padLeft)
        if depthwise {
            let filter = program.constant(weights, shape: [kh, kw, cout])
            program.depthwiseConv2d(xi, filter: filter, multipliers: mi, shifts: si, bias: bi, window: window, clamp: clamp, output: yi)
        } else {
            let filter = program.constant(weights, shape: [cout, kh, kw, cin / groups])
            let packed = packWeights ? program.packedCopy(ofConvFilter: filter, groups: groups) : nil
            program.conv2d(xi, filter: filter, multipliers: mi, shifts: si, bias: bi, packedFilter: packed, window: window, groups: groups,
                           clamp: clamp, output: yi)
        }
    }

    mutating func fullyConnected(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), f = try input(op, 1), y = op.outputs[0]
        guard case let .fullyConnected(activation, weightsFormat, _) = op.options else { throw Unsupported("options are missing") }
        guard weightsFormat == 0 else { throw Unsupported("shuffled weights format \(weightsFormat)") }
        let fs = tensor(f).shape
        guard fs.count == 2, fs[0] >= 1, fs[1] >= 1 else { throw Unsupported("weights shape \(fs) is not [units, inputs]") }
        let (units, depth) = (fs[0], fs[1])
        guard tensor(x).count % depth == 0, tensor(y).count == tensor(x).count / depth * units else {
            throw Unsupported("input \(tensor(x).shape) and output \(tensor(y).shape) do not fit weights \(fs)")
        }
        let xq = try quantization(x), yq = try quantization(y)
        let scales = try filterScales(f, channels: units)
        let (m, s): ([Int32], [Int32])
        if tensor(f).quantization?.scales.count == 1 {
            // Per-tensor weights: TFLM multiplies the scales in float32 first.
            let (pm, ps) = quantizeMultiplier(Double(xq.scale * scales[0]) / Double(yq.scale))
            (m, s) = ([Int32](repeating: pm, count: units), [Int32](repeating: ps, count: units))
        } else {
            (m, s) = channelMultipliers(inputScale: xq.scale, weightScales: scales, outputScale: yq.scale)
        }
        let weights = try constant(f, Int8.self), biasValues = try bias(op, 2, channels: units)
        let clamp = try activationClamp(activation, yq)
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        let (mi, si, bi) = channelConstants(multipliers: m, shifts: s, bias: biasValues)
        program.fullyConnected(xi, filter: program.constant(weights, shape: [units, depth]), multipliers: mi, shifts: si, bias: bi,
                               clamp: clamp, output: yi)
    }

    mutating func transposeConvolution(_ op: TFLiteModel.Operator) throws(Unsupported) {
        // Inputs: output shape, filter [Cout, KH, KW, Cin], x, bias?.
        let f = try input(op, 1), x = try input(op, 2), y = op.outputs[0]
        guard case let .transposeConv(padding, sw, sh, activation) = op.options else { throw Unsupported("options are missing") }
        let (xs, ys) = (try image(x), try image(y)), fs = tensor(f).shape
        guard fs.count == 4, fs.allSatisfy({ $0 >= 1 }), fs[0] == ys[2], fs[3] == xs[2] else { throw Unsupported("filter \(fs) does not fit \(xs) → \(ys)") }
        guard sh >= 1, sw >= 1 else { throw Unsupported("strides must be positive") }
        func before(_ out: Int, _ k: Int, _ stride: Int) -> Int {
            padding == .same ? max(((out + stride - 1) / stride - 1) * stride + k - out, 0) / 2 : 0
        }
        let xq = try quantization(x), yq = try quantization(y)
        let (m, s) = channelMultipliers(inputScale: xq.scale, weightScales: try filterScales(f, channels: ys[2]), outputScale: yq.scale)
        let weights = try constant(f, Int8.self), biasValues = try bias(op, 3, channels: ys[2])
        let clamp = try activationClamp(activation, yq)
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        let (mi, si, bi) = channelConstants(multipliers: m, shifts: s, bias: biasValues)
        program.transposeConv2d(xi, filter: program.constant(weights, shape: fs), multipliers: mi, shifts: si, bias: bi,
                                stride: (sh, sw), padTop: before(ys[0], fs[1], sh), padLeft: before(ys[1], fs[2], sw), clamp: clamp,
                                output: yi)
    }

    /// The operands of a binary op, for a commuting one (ADD, MUL, MAXIMUM, MINIMUM) the larger
    /// first: the second must match the first's element count, be a vector along its last axis
    /// or, with `oneValue`, one value (SUB, not commuting, broadcasts its second operand only).
    func binaryOperands(_ op: TFLiteModel.Operator, oneValue: Bool, commuting: Bool = true) throws(Unsupported) -> (a: Int, b: Int) {
        var a = try input(op, 0), b = try input(op, 1)
        if commuting && tensor(a).count < tensor(b).count { swap(&a, &b) }
        let (sa, sb) = (tensor(a).shape, tensor(b).shape), (na, nb) = (tensor(a).count, tensor(b).count)
        guard tensor(op.outputs[0]).count == na, nb == na || (oneValue && nb == 1) || (sb.last == sa.last && nb == (sa.last ?? 0)) else {
            throw Unsupported("broadcast of \(sa) and \(sb) (only equal shapes, a channel vector\(oneValue ? " or one value" : "")"
                              + "\(commuting ? "" : " as the second"))")
        }
        return (a, b)
    }

    mutating func add(_ op: TFLiteModel.Operator) throws(Unsupported) {
        guard case let .add(activation) = op.options else { throw Unsupported("options are missing") }
        let y = op.outputs[0], yq = try quantization(y)
        if let (x, c) = try oneConstantValue(op) {
            var p = addParams(input1: try quantization(x), input2: try quantization(c.tensor), output: yq, activation: .none)
            (p.activationMin, p.activationMax) = try activationClamp(activation, yq)
            return try tabulate(x, output: y) { add_s8(p, input1: $0, input2: [c.value], input2Count: 1, count: 256, output: $1) }
        }
        let (a, b) = try binaryOperands(op, oneValue: false)
        var p = addParams(input1: try quantization(a), input2: try quantization(b), output: yq, activation: .none)
        (p.activationMin, p.activationMax) = try activationClamp(activation, yq)
        let ai = try arenaTensor(a), bi = try arenaTensor(b), yi = try arenaTensor(y)
        program.add(ai, bi, p, output: yi)
    }

    mutating func mul(_ op: TFLiteModel.Operator) throws(Unsupported) {
        guard case let .mul(activation) = op.options else { throw Unsupported("options are missing") }
        let y = op.outputs[0], yq = try quantization(y)
        if let (x, c) = try oneConstantValue(op) {
            let p = mulParams(input1: try quantization(x), input2: try quantization(c.tensor), output: yq, clamp: try activationClamp(activation, yq))
            return try tabulate(x, output: y) { mul_s8(p, input1: $0, input2: [c.value], input2Count: 1, count: 256, output: $1) }
        }
        let (a, b) = try binaryOperands(op, oneValue: true)
        let p = mulParams(input1: try quantization(a), input2: try quantization(b), output: yq, clamp: try activationClamp(activation, yq))
        let ai = try arenaTensor(a), bi = try arenaTensor(b), yi = try arenaTensor(y)
        program.mul(ai, bi, p, output: yi)
    }

    /// SUB `a − b`: b of a's shape, a channel vector or one value; a one-value constant on either
    /// side is a table (`x − c` or `c − x`).
    mutating func sub(_ op: TFLiteModel.Operator) throws(Unsupported) {
        guard case let .sub(activation) = op.options else { throw Unsupported("options are missing") }
        let a = try input(op, 0), b = try input(op, 1), y = op.outputs[0], yq = try quantization(y)
        var p = addParams(input1: try quantization(a), input2: try quantization(b), output: yq, activation: .none)
        (p.activationMin, p.activationMax) = try activationClamp(activation, yq)
        if let (x, c) = try oneConstantValue(op) {
            let bytes = x == a ? (input1: nil as Int8?, input2: c.value as Int8?) : (input1: c.value, input2: nil)
            return try tabulate(x, output: y) { all, table in
                for i in 0..<256 { table[i] = p.subtract(bytes.input1 ?? all[i], bytes.input2 ?? all[i]) }
            }
        }
        _ = try binaryOperands(op, oneValue: true, commuting: false)
        let ai = try arenaTensor(a), bi = try arenaTensor(b), yi = try arenaTensor(y)
        program.sub(ai, bi, p, output: yi)
    }

    /// MAXIMUM / MINIMUM on raw bytes, as TFLM compares them whatever the quantizations: b of a's
    /// shape, a channel vector or one value (either operand; the order does not matter); a
    /// one-value constant is a table.
    mutating func maximumMinimum(_ op: TFLiteModel.Operator, maximum: Bool) throws(Unsupported) {
        let y = op.outputs[0]
        if let (x, c) = try oneConstantValue(op) {
            return try tabulate(x, output: y) { all, table in
                for i in 0..<256 { table[i] = maximum ? max(all[i], c.value) : min(all[i], c.value) }
            }
        }
        let (a, b) = try binaryOperands(op, oneValue: true)
        _ = (try quantization(a), try quantization(b), try quantization(y))  // int8 with per-tensor quantization
        let ai = try arenaTensor(a), bi = try arenaTensor(b), yi = try arenaTensor(y)
        program.maximumMinimum(ai, bi, maximum: maximum, output: yi)
    }

    /// The activation and the constant of a binary operator whose one operand is a constant
    /// holding one value (Keras's `x + 3` and `x * (1/6)` in hard-sigmoid), else nil.
    func oneConstantValue(_ op: TFLiteModel.Operator) throws(Unsupported) -> (Int, (tensor: Int, value: Int8))? {
        let a = try input(op, 0), b = try input(op, 1)
        for (x, c) in [(a, b), (b, a)] where tensor(c).data != nil && tensor(c).count == 1 && tensor(x).data == nil {
            guard tensor(op.outputs[0]).count == tensor(x).count else { throw Unsupported("output and input sizes differ") }
            guard tensor(c).type == .int8 else { throw Unsupported("constant tensor \(c) is not int8") }
            return (x, (c, try constant(c, Int8.self)[0]))
        }
        return nil
    }

    /// `x` through a 256-entry lookup table that `kernel` fills from the 256 int8 values in
    /// order: exact wherever the output is a function of one int8 input (the reference kernel's
    /// own arithmetic on each byte).
    mutating func tabulate(_ x: Int, output y: Int,
                           _ kernel: (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void) throws(Unsupported) {
        let bytes = (-128...127).map { Int8($0) }
        var table = [Int8](repeating: 0, count: 256)
        bytes.withUnsafeBufferPointer { input in table.withUnsafeMutableBufferPointer { kernel(input.baseAddress!, $0.baseAddress!) } }
        let xi = try arenaTensor(x), yi = try arenaTensor(y, shape: outputShape(x))
        program.lookup(xi, table: table, output: yi)
    }

    mutating func pool(_ op: TFLiteModel.Operator, average: Bool) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        guard case let .pool(padding, sw, sh, fw, fh, activation) = op.options else { throw Unsupported("options are missing") }
        let (xs, ys) = (try image(x), try image(y))
        guard xs[2] == ys[2] else { throw Unsupported("pooling changes the channels") }
        let top = try explicitPadding(padding, input: xs[0], output: ys[0], kernel: fh, stride: sh, dilation: 1)
        let left = try explicitPadding(padding, input: xs[1], output: ys[1], kernel: fw, stride: sw, dilation: 1)
        let clamp = try activationClamp(activation, try quantization(y))
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        program.pool2d(xi, average: average, kernel: (fh, fw), window: ConvWindow(stride: (sh, sw), padTop: top, padLeft: left),
                       clamp: clamp, output: yi)
    }

    mutating func mean(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        let xs = try image(x)
        let axes = Set(try indices(try input(op, 1)).map { $0 < 0 ? $0 + 4 : $0 })
        guard axes == [1, 2] else { throw Unsupported("mean over axes \(axes.sorted()) (only H and W)") }
        guard tensor(y).count == xs[2] else { throw Unsupported("mean output \(tensor(y).shape) is not C values") }
        let xq = try quantization(x), yq = try quantization(y)
        let p = meanParams(input: ImageShape(height: xs[0], width: xs[1], channels: xs[2]), inputQuantization: xq, outputQuantization: yq)
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        program.mean(xi, p, output: yi)
    }

    mutating func softmax(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        guard case let .softmax(beta) = op.options else { throw Unsupported("options are missing") }
        guard beta.isFinite, beta > 0 else { throw Unsupported("beta \(beta) is not a positive number") }
        let xq = try quantization(x), yq = try quantization(y)
        guard yq.zeroPoint == -128, yq.scale == 1 / 256 else { throw Unsupported("int8 output must have scale 1/256 and zero point -128") }
        let depth = tensor(x).shape.last ?? 1
        let p = softmaxParams(beta: beta, inputScale: xq.scale, rows: tensor(x).count / max(depth, 1), depth: depth)
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        program.softmax(xi, p, output: yi)
    }

    mutating func concatenation(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let y = op.outputs[0]
        guard case let .concatenation(axis, activation) = op.options else { throw Unsupported("options are missing") }
        guard activation == .none else { throw Unsupported("fused activation on concatenation") }
        let viewAxis = try axis3(axis, rank: tensor(y).shape.count)
        var xs: [Int] = []
        for t in op.inputs {
            guard t >= 0 else { throw Unsupported("a missing input") }
            xs.append(try view3(t))
        }
        let yi = try arenaTensor(y, shape: dims3(y))
        program.concatenation(xs, axis: viewAxis, output: yi)
    }

    /// Tensor `t`'s dims as `[A, B, C]`: its last three, leading 1s added (the batch of 1 of a
    /// 4-D tensor dropped).
    func dims3(_ t: Int) -> [Int] { Array(([1, 1, 1] + tensor(t).shape).suffix(3)) }

    /// The program tensor of activation `t` as `[A, B, C]` (`dims3`): itself, or a reshape of
    /// the same bytes, for the ops that work on that view (concatenation, slice).
    mutating func view3(_ t: Int) throws(Unsupported) -> Int {
        let id = try arenaTensor(t)
        guard program.tensors[id].shape != dims3(t) else { return id }
        let view = program.activation(dims3(t), try quantization(t))
        program.reshape(id, output: view)
        return view
    }

    /// Axis `axis` (negative from the end) of a rank-`rank` tensor as an axis of its `dims3`
    /// view: the batch axis of a 4-D tensor has none.
    func axis3(_ axis: Int, rank: Int) throws(Unsupported) -> Int {
        let along = axis < 0 ? axis + rank : axis, view = 3 - (rank - along)
        guard rank <= 4, (0..<rank).contains(along), (0...2).contains(view) else {
            throw Unsupported("axis \(axis) of a rank-\(rank) tensor (only axes after the batch)")
        }
        return view
    }

    /// SPLIT (axis, x) and SPLIT_V (x, sizes, axis): one `slice` per output along the axis, the
    /// outputs' own sizes in order (TFLM copies the bytes).
    mutating func split(_ op: TFLiteModel.Operator, sizes: Bool) throws(Unsupported) {
        let x = try input(op, sizes ? 0 : 1), axisValues = try indices(try input(op, sizes ? 2 : 0))
        guard axisValues.count == 1 else { throw Unsupported("the axis is not one value") }
        let shape = tensor(x).shape, view = try axis3(axisValues[0], rank: shape.count)
        let xv = try view3(x)
        var begin = 0
        for y in op.outputs {
            guard y >= 0, tensor(y).shape.count == shape.count else { throw Unsupported("an output of another rank") }
            let yi = try arenaTensor(y, shape: dims3(y))
            program.slice(xv, axis: view, begin: begin, output: yi)
            begin += dims3(y)[view]
        }
        guard begin == dims3(x)[view] else { throw Unsupported("the outputs do not add up to the input along the axis") }
    }

    /// STRIDED_SLICE of an activation with unit strides: one `slice` per axis it narrows (the
    /// batch axis kept whole), begin/end masks, negative indices and shrunk axes as TFLite
    /// resolves them; the last slice (or a reshape, when nothing narrows) writes the output.
    mutating func stridedSliceOfData(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        guard case let .stridedSlice(beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask, offset) = op.options else {
            throw Unsupported("options are missing")
        }
        guard ellipsisMask == 0, newAxisMask == 0, !offset else { throw Unsupported("ellipsis, new-axis or offset slices") }
        let shape = tensor(x).shape, rank = shape.count
        let begin = try indices(try input(op, 1)), end = try indices(try input(op, 2))
        let strides = op.inputs.count > 3 ? try indices(try input(op, 3)) : [Int](repeating: 1, count: rank)
        guard begin.count == rank, end.count == rank, strides.count == rank else { throw Unsupported("begin, end and strides of another rank") }
        guard strides.allSatisfy({ $0 == 1 }) else { throw Unsupported("strides \(strides) (only 1)") }
        var current = try view3(x), dims = dims3(x)
        let quantization = try quantization(y)
        var ranges: [(axis: Int, begin: Int, size: Int)] = []
        for axis in 0..<rank {
            let n = shape[axis]
            func position(_ v: Int) -> Int { min(max(v < 0 ? v + n : v, 0), n) }
            let first = beginMask >> axis & 1 != 0 ? 0 : position(begin[axis])
            let last = shrinkAxisMask >> axis & 1 != 0 ? first + 1 : endMask >> axis & 1 != 0 ? n : position(end[axis])
            guard first < last, last <= n else { throw Unsupported("an empty range on axis \(axis)") }
            if first == 0 && last == n { continue }
            ranges.append((try axis3(axis, rank: rank), first, last - first))
        }
        let sliced = ranges.reduce(into: dims) { $0[$1.axis] = $1.size }
        guard tensor(y).count == sliced.reduce(1, *) else { throw Unsupported("output \(tensor(y).shape) is not the slice's \(sliced)") }
        for (k, range) in ranges.enumerated() {
            dims[range.axis] = range.size
            let next = k == ranges.count - 1 ? try arenaTensor(y, shape: dims) : program.activation(dims, quantization)
            program.slice(current, axis: range.axis, begin: range.begin, output: next)
            current = next
        }
        if ranges.isEmpty { program.reshape(current, output: try arenaTensor(y)) }
    }

    mutating func reshape(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        guard tensor(x).count == tensor(y).count else { throw Unsupported("reshape changes the element count") }
        try requireReshapeAgrees(op)
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        program.reshape(xi, output: yi)
    }

    mutating func pad(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        let (xs, ys) = (try image(x), try image(y))
        let p = try indices(try input(op, 1))
        guard p.count == 8, p[0] == 0, p[1] == 0, p[6] == 0, p[7] == 0, p.allSatisfy({ $0 >= 0 && $0 <= 65536 }),
              ys[0] == xs[0] + p[2] + p[3], ys[1] == xs[1] + p[4] + p[5], ys[2] == xs[2] else {
            throw Unsupported("paddings \(p) (only non-negative H and W padding)")
        }
        // PAD fills with the output zero point, PADV2 with its constant's raw byte (TFLM's pad_value).
        var fill = Int8(try quantization(y).zeroPoint)
        if op.inputs.count > 2, op.inputs[2] >= 0 {
            let c = op.inputs[2]
            guard tensor(c).type == .int8, tensor(c).count == 1 else { throw Unsupported("fill value is not one int8 constant") }
            fill = try constant(c, Int8.self)[0]
        }
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        program.pad(xi, top: p[2], left: p[4], fill: fill, output: yi)
    }

    mutating func transpose(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        let dims = tensor(x).shape, perm = try indices(try input(op, 1))
        guard perm.count == dims.count, Set(perm) == Set(0..<dims.count) else { throw Unsupported("permutation \(perm) of \(dims)") }
        // Axes of size 1 do not move bytes: drop them and renumber the rest.
        let kept = dims.indices.filter { dims[$0] > 1 }
        let renumber = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        let keptPerm = perm.compactMap { renumber[$0] }
        guard kept.count <= 4 else { throw Unsupported("transpose of more than 4 axes larger than 1") }
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        if kept.isEmpty || keptPerm == Array(0..<kept.count) {
            program.reshape(xi, output: yi)
        } else {
            program.transpose(xi, dims: kept.map { dims[$0] }, permutation: keptPerm, output: yi)
        }
    }

    /// RESIZE_NEAREST_NEIGHBOR (source indices) and RESIZE_BILINEAR (TFLM's `ResizeBilinearInteger`
    /// taps) on int8: neither requantizes, TFLM moves or interpolates the bytes.
    mutating func resize(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        let bilinear: Bool, alignCorners: Bool, halfPixelCenters: Bool
        switch op.options {
        case let .resizeNearest(a, h): (bilinear, alignCorners, halfPixelCenters) = (false, a, h)
        case let .resizeBilinear(a, h): (bilinear, alignCorners, halfPixelCenters) = (true, a, h)
        default: throw Unsupported("options are missing")
        }
        guard !(bilinear && alignCorners && halfPixelCenters) else { throw Unsupported("align_corners with half_pixel_centers") }
        let (xs, ys) = (try image(x), try image(y))
        guard xs[2] == ys[2] else { throw Unsupported("resize changes the channels") }
        let axis = bilinear ? bilinearTaps : nearestSourceIndices
        let rows = axis(xs[0], ys[0], alignCorners, halfPixelCenters), cols = axis(xs[1], ys[1], alignCorners, halfPixelCenters)
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        if bilinear { program.resizeBilinear(xi, rows: rows, cols: cols, output: yi) } else { program.resizeNearest(xi, rows: rows, cols: cols, output: yi) }
    }

    /// Element-wise int8 functions, as exact TFLM tables.
    mutating func elementwise(_ op: TFLiteModel.Operator, _ code: Int) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        guard tensor(x).count == tensor(y).count else { throw Unsupported("output size differs from the input's") }
        let xq = try quantization(x), yq = try quantization(y)
        let table: [Int8]
        switch code {
        case BuiltinOperator.quantize: table = ElementwiseTables.requantize(input: xq, output: yq)
        case BuiltinOperator.relu: table = ElementwiseTables.relu(input: xq, output: yq)
        case BuiltinOperator.relu6: table = ElementwiseTables.relu6(input: xq)
        case BuiltinOperator.logistic:
            guard yq.zeroPoint == -128, yq.scale == 1 / 256 else { throw Unsupported("int8 output must have scale 1/256 and zero point -128") }
            table = ElementwiseTables.logistic(input: xq)
        case BuiltinOperator.tanh:
            guard yq.zeroPoint == 0, yq.scale == 1 / 128 else { throw Unsupported("int8 output must have scale 1/128 and zero point 0") }
            table = ElementwiseTables.tanh(input: xq)
        case BuiltinOperator.hardSwish: table = ElementwiseTables.hardSwish(input: xq, output: yq)
        case BuiltinOperator.leakyRelu:
            guard case let .leakyRelu(alpha) = op.options else { throw Unsupported("options are missing") }
            table = ElementwiseTables.leakyRelu(input: xq, output: yq, alpha: alpha)
        default: throw Unsupported("")
        }
        let xi = try arenaTensor(x), yi = try arenaTensor(y)
        program.lookup(xi, table: table, output: yi)
    }
}
