/// One op of a model.q8 seen through its input slots and parameter words: what each op's
/// `validate` checks and its `prepare` decodes (the op files in this folder own which slot and
/// which word means what).
///
/// Every check here is written so that it cannot overflow itself: sizes are read as at most
/// `Q8Model.sizeLimit` (2^16), products go through `product`, which refuses anything past 2^30
/// on any target (the firmware's `Int` is 32 bits).
struct OpView {
    let model: Q8Model
    let index: Int
    let op: Q8Op

    init(_ model: Q8Model, _ index: Int) {
        self.model = model
        self.index = index
        self.op = model.op(index)
    }

    /// An error naming this op.
    func fail(_ message: StaticString, value: Int? = nil) -> Q8Error { Q8Error(.op(index), message, value: value) }

    /// Whether input slot `slot` holds a tensor (optional inputs may be absent or left out).
    func has(_ slot: Int) -> Bool { slot < op.inputCount && model.input(slot, of: op) != nil }

    /// The tensor in input slot `slot`; only for slots validation found present.
    func tensor(_ slot: Int) -> Q8Tensor { model.tensor(model.input(slot, of: op) ?? 0) }

    var output: Q8Tensor { model.tensor(op.output) }

    /// Parameter word `k`.
    func word(_ k: Int) -> Int32 { model.parameter(k, of: op) }
    func int(_ k: Int) -> Int { Int(word(k)) }

    // MARK: Validation

    /// The op has between `minimum` and `maximum` inputs.
    func requireInputCount(_ minimum: Int, _ maximum: Int) throws(Q8Error) {
        guard op.inputCount >= minimum, op.inputCount <= maximum else { throw fail("op has the wrong number of inputs") }
    }

    /// The tensor in a required slot.
    func required(_ slot: Int) throws(Q8Error) -> Q8Tensor {
        guard has(slot) else { throw fail("op is missing a required input") }
        return tensor(slot)
    }

    /// An int8 arena tensor in `slot`.
    func activation(_ slot: Int) throws(Q8Error) -> Q8Tensor {
        let t = try required(slot)
        guard t.type == .int8, t.storage == .arena else { throw fail("op input must be an int8 activation") }
        return t
    }

    /// A constant of `type` with `count` elements and `layout` in `slot`.
    func constant(_ slot: Int, _ type: Q8Type, count: Int, layout: Q8WeightLayout = .plain) throws(Q8Error) -> Q8Tensor {
        let t = try required(slot)
        guard t.type == type, t.storage == .constant, t.count == count else {
            throw fail("op constant has the wrong type, storage or size")
        }
        guard t.layout == layout.rawValue else { throw fail("op constant has the wrong weight layout") }
        return t
    }

    /// `a · b`, refused past 2^30 (the bound every element count, window and offset here stays under).
    func product(_ a: Int, _ b: Int) throws(Q8Error) -> Int {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow, a >= 0, b >= 0, p <= 1 << 30 else { throw fail("op sizes multiply past 2^30", value: overflow ? nil : p) }
        return p
    }

    /// `a · b` for counting work (MACs), at most `Int.max`: never traps, on 32-bit targets either.
    func count(_ a: Int, _ b: Int) -> Int {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : p
    }

    /// Words `from ..< from + count` (kernel sizes, strides, dilations, paddings) lie in `minimum ... 65536`.
    func requireSizes(_ from: Int, _ count: Int, minimum: Int) throws(Q8Error) {
        for k in from..<(from + count) where int(k) < minimum || int(k) > Q8Model.sizeLimit {
            throw fail("op kernel, stride, dilation or padding out of range", value: int(k))
        }
    }

    /// Words `k`, `k + 1` are an output clamp inside [-128, 127].
    func requireClamp(_ k: Int) throws(Q8Error) {
        guard int(k) >= -128, int(k + 1) <= 127, int(k) <= int(k + 1) else {
            throw fail("op activation clamp is not inside [-128, 127]", value: int(k) >= -128 ? int(k + 1) : int(k))
        }
    }

    /// A requantization multiplier and shift as TFLite's `QuantizeMultiplier` makes them: the
    /// multiplier 0 or in [2^30, 2^31), the shift in [-31, 30] (so `x · 2^shift` is a defined
    /// int32 shift and every kernel's rounding shift stays inside 32 bits).
    func requireMultiplier(_ multiplier: Int32, shift: Int32) throws(Q8Error) {
        guard multiplier == 0 || multiplier >= 1 << 30 else {
            throw fail("op requantization multiplier is not 0 or in [2^30, 2^31)", value: Int(multiplier))
        }
        guard shift >= -31, shift <= 30 else { throw fail("op requantization shift is outside [-31, 30]", value: Int(shift)) }
    }

    /// Per-channel multipliers in `multipliers`, shifts in `shifts` and an optional bias in `bias`
    /// (int32, any value: the kernels add it with wrapping arithmetic, as TFLite's int32 sums do),
    /// each `channels` long.
    func requireChannelRequantization(multipliers: Int, shifts: Int, bias: Int, channels: Int) throws(Q8Error) {
        let m = model.constantBytes(try constant(multipliers, .int32, count: channels))
        let s = model.constantBytes(try constant(shifts, .int32, count: channels))
        for c in 0..<channels {
            try requireMultiplier(m.loadUnaligned(fromByteOffset: 4 * c, as: Int32.self),
                                  shift: s.loadUnaligned(fromByteOffset: 4 * c, as: Int32.self))
        }
        if has(bias) { _ = try constant(bias, .int32, count: channels) }
    }

    /// Along one axis, every window a kernel visits starts inside `input + padding`, and the
    /// largest coordinate it computes, `(output − 1)·stride + (kernel − 1)·dilation`, stays under
    /// 2^30: the first and last windows touch the image.
    func requireWindow(input: Int, output: Int, kernel: Int, stride: Int, dilation: Int, pad: Int) throws(Q8Error) {
        let reach = try product(kernel - 1, dilation), last = try product(output - 1, stride)
        guard reach + last <= 1 << 30, pad <= reach, last - pad < input else {
            throw fail("op output window falls outside its input")
        }
    }

    func overlaps(_ a: Q8Tensor, _ b: Q8Tensor) -> Bool {
        a.storage == .arena && b.storage == .arena && a.offset < b.offset + b.byteSize && b.offset < a.offset + a.byteSize
    }

    /// Checks the operands of an element-wise op of two inputs (`mul`, `sub`, `maximum`,
    /// `minimum`): slot 0 of the output's count, slot 1 of slot 0's count, one value per channel
    /// of it, or one value; the output over slot 0 (by the op's in-place rule) or apart, slot 1 apart.
    func requireBroadcastPair() throws(Q8Error) {
        try requireInputCount(2, 2)
        let a = try activation(0), b = try activation(1)
        guard a.count == output.count, b.count == a.count || b.count == a.channels || b.count == 1 else {
            throw fail("the first input must match the output, the second hold as many values, one per channel or one")
        }
        try requireInPlaceRule(a)
        try requireSeparate(b)
    }

    /// The output does not overlap `x` (the kernel reads `x` while writing).
    func requireSeparate(_ x: Q8Tensor) throws(Q8Error) {
        if overlaps(x, output) { throw fail("op output overlaps an input it cannot share") }
    }

    /// The output and `x` as the op's in-place rule allows (`Q8OpCode.inPlace`, what the planner
    /// reads): apart, or for `.overwrites` and `.aliases` also exactly `x`'s bytes (same offset and size).
    func requireInPlaceRule(_ x: Q8Tensor) throws(Q8Error) {
        let out = output
        switch op.code.inPlace {
        case .never: try requireSeparate(x)
        case .overwrites, .aliases:
            if overlaps(x, out) && !(x.offset == out.offset && x.byteSize == out.byteSize) {
                throw fail("op output partly overlaps its input")
            }
        case .rowByRow:
            let order = rowOrder(x)
            guard order == .firstToLast || order == .lastToFirst else { return }  // apart, or a row stream (`RowStream.validate`)
            let gap = Conv2DOp.rowByRowGap(order, input: x.image, output: out.image, kernelH: int(Conv2DOp.Word.kernelH),
                                           strideH: int(Conv2DOp.Word.strideH), dilationH: int(Conv2DOp.Word.dilationH),
                                           padTop: int(Conv2DOp.Word.padTop))
            let distance = inPlaceDistance(x, order)
            guard distance >= gap else {
                throw fail("op output overlaps its input with less than the row-by-row gap", value: distance)
            }
        }
    }

    /// How a windowed op's rows run over input `x`: pulled by the next op when the output is a
    /// row stream, pulling when x is one (`RowStream`); split when the output lies apart from x,
    /// else a chunk at a time from the first row (output below x) or from the last (output above x).
    func rowOrder(_ x: Q8Tensor) -> RowOrder {
        if output.layout == Q8WeightLayout.rowStream.rawValue { return .pulled }
        if x.layout == Q8WeightLayout.rowStream.rawValue { return .pulling }
        guard overlaps(x, output) else { return .split }
        return x.offset >= output.offset ? .firstToLast : .lastToFirst
    }

    /// The bytes between the output and x run in place in `order`: x's offset less the output's
    /// (first to last, output below), or the other way round (last to first, output above).
    func inPlaceDistance(_ x: Q8Tensor, _ order: RowOrder) -> Int {
        order == .firstToLast ? x.offset - output.offset : output.offset - x.offset
    }

    /// The op's scratch buffer: absent when `bytes` is 0, else an arena tensor of at least
    /// `bytes` bytes that overlaps neither the output nor `inputs`.
    func requireScratch(bytes: Int, apartFrom input: Q8Tensor) throws(Q8Error) {
        guard let s = op.scratch else {
            guard bytes == 0 else { throw fail("op needs a scratch tensor") }
            return
        }
        guard s < model.tensorCount else { throw fail("op scratch is not a tensor") }
        let scratch = model.tensor(s)
        guard scratch.storage == .arena, scratch.byteSize >= bytes else { throw fail("op scratch is not an arena tensor large enough") }
        guard !overlaps(scratch, output), !overlaps(scratch, input) else { throw fail("op scratch overlaps an input or the output") }
    }

    // MARK: Preparation (after validation)

    func activation(_ t: Q8Tensor, in arena: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Int8> {
        (arena + t.offset).assumingMemoryBound(to: Int8.self)
    }

    func int8Constant(_ slot: Int) -> UnsafePointer<Int8> {
        model.constantBytes(tensor(slot)).assumingMemoryBound(to: Int8.self)
    }

    func int32Constant(_ slot: Int) -> UnsafePointer<Int32> {
        model.constantBytes(tensor(slot)).assumingMemoryBound(to: Int32.self)
    }

    /// The bias in `slot`, or nil when absent.
    func optionalInt32Constant(_ slot: Int) -> UnsafePointer<Int32>? { has(slot) ? int32Constant(slot) : nil }

    /// The op's scratch tensor, if it has one (validated).
    var scratchTensor: Q8Tensor? { op.scratch.map { model.tensor($0) } }

    func scratch(in arena: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        guard let s = op.scratch else { return nil }
        return arena + model.tensor(s).offset
    }
}
