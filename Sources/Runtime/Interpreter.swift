/// Runs a validated model.q8 in a caller-provided arena. It never allocates, touches no memory
/// but the model buffer, the arena and the views it hands out, and keeps no global state.
///
/// ```
/// let model = try Q8Model(bytes: buffer)
/// let interpreter = try Interpreter(model: model, arena: arena)   // arena.count ≥ model.arenaBytes
/// interpreter.input(0).update(from: ...)                         // int8 input
/// interpreter.invoke()
/// let scores = interpreter.output(0)
/// ```
///
/// `init` decodes every op once (`PreparedOp`, in the arena's last `opCount ·
/// Q8Format.preparedOpBytes` bytes); `invoke` only dispatches. The arena must not be shared with
/// another interpreter while this one is used.
public struct Interpreter {
    public let model: Q8Model
    /// What runs convolutions, dense layers, adds, pools and means (`KernelSet.reference` unless given).
    public let kernels: KernelSet
    let arena: UnsafeMutableRawPointer
    let prepared: UnsafeMutablePointer<PreparedOp>

    /// Checks that the arena is large enough and 16-byte aligned, then prepares every op.
    public init(model: Q8Model, arena: UnsafeMutableRawBufferPointer, kernels: KernelSet = .reference) throws(Q8Error) {
        guard let base = arena.baseAddress, arena.count >= model.arenaBytes else {
            throw Q8Error(.file, "arena is smaller than the model's planned arena size")
        }
        guard UInt(bitPattern: base) % 16 == 0 else { throw Q8Error(.file, "arena is not 16-byte aligned") }
        guard MemoryLayout<PreparedOp>.stride <= Q8Format.preparedOpBytes, MemoryLayout<PreparedOp>.alignment <= 16 else {
            throw Q8Error(.file, "prepared op records do not fit Q8Format.preparedOpBytes on this target")
        }
        self.model = model
        self.kernels = kernels
        self.arena = base
        let records = base + model.activationBytes
        prepared = records.bindMemory(to: PreparedOp.self, capacity: model.opCount)
        for i in 0..<model.opCount {
            (records + i * Q8Format.preparedOpBytes).initializeMemory(as: PreparedOp.self, to: PreparedOp(model, i, arena: base))
        }
    }

    /// Model input `i` (int8, the input tensor's shape and quantization) inside the arena.
    public func input(_ i: Int) -> UnsafeMutableBufferPointer<Int8> {
        let t = model.tensor(model.inputTensor(i))
        return UnsafeMutableBufferPointer(start: (arena + t.offset).assumingMemoryBound(to: Int8.self), count: t.count)
    }

    /// Model output `i` (int8) inside the arena; valid until the next `invoke`.
    public func output(_ i: Int) -> UnsafeBufferPointer<Int8> {
        let t = model.tensor(model.outputTensor(i))
        return UnsafeBufferPointer(start: (arena + t.offset).assumingMemoryBound(to: Int8.self), count: t.count)
    }

    /// Runs every op in order.
    public func invoke() {
        for i in 0..<model.opCount { run(i) }
    }

    /// Runs op `i`: convolutions, dense layers, adds, pools and means through `kernels`, the rest
    /// with the reference kernels.
    public func run(_ i: Int) { run(i, part: 0, of: 1, scratch: nil) }

    /// Runs part `part` of `parts` of op `i`, what one of a host's threads does (module Kernels,
    /// `ParallelInvoker`; `run(i)` is part 0 of 1): convolutions, depthwise convolutions and pools
    /// compute their share of the output rows, a one-row dense layer its share of the output
    /// channels, an add its share of the elements (cut at channel boundaries); any other op runs
    /// whole in part 0. The parts write disjoint bytes and together compute exactly what the whole
    /// op does. `scratch` replaces the op's arena scratch, so that each thread has its own (nil:
    /// the arena's).
    /// Example: a 112-row convolution in 2 parts: rows 0..<56 and 56..<112.
    public func run(_ i: Int, part: Int, of parts: Int, scratch: UnsafeMutableRawPointer?) {
        let record = (UnsafeMutableRawPointer(prepared) + i * Q8Format.preparedOpBytes).assumingMemoryBound(to: PreparedOp.self)
        @inline(__always) func share(_ n: Int) -> Range<Int> { (n * part / parts)..<(n * (part + 1) / parts) }
        switch record.pointee {
        case var .conv2d(c):
            let rows = share(c.params.output.height)
            if rows.isEmpty { return }
            c.operands.output += rows.lowerBound * c.params.output.width * c.params.output.channels
            c.params = c.params.rows(rows, scratch: scratch)
            c.run(kernels)
        case let .depthwiseConv2d(c):
            let rows = share(c.params.output.height)
            if rows.isEmpty { return }
            let o = c.operands
            kernels.depthwiseConv2d(c.params.rows(rows, scratch: scratch), o.input, o.filter, o.bias, o.requantization,
                                    o.output + rows.lowerBound * c.params.output.width * c.params.output.channels)
        case let .maxPool2d(c), let .averagePool2d(c):
            let rows = share(c.params.output.height)
            if rows.isEmpty { return }
            let output = c.output + rows.lowerBound * c.params.output.width * c.params.output.channels
            if case .maxPool2d = record.pointee {
                kernels.maxPool2d(c.params.rows(rows), c.input, output)
            } else {
                kernels.averagePool2d(c.params.rows(rows), c.input, output)
            }
        case var .fullyConnected(c) where c.rows == 1:
            let outputs = share(c.params.outputs)
            if outputs.isEmpty { return }
            let first = outputs.lowerBound
            c.params.outputs = outputs.count
            c.operands.filter += first * c.params.inputs
            c.operands.bias = c.operands.bias.map { $0 + first }
            c.operands.requantization = ChannelRequantization(multipliers: c.operands.requantization.multipliers + first,
                                                              shifts: c.operands.requantization.shifts + first)
            c.operands.output += first
            c.run(kernels)
        case let .add(c):
            // Broadcast adds are cut at whole rows of the second operand, so its index stays i mod C.
            let unit = c.input2Count < c.count ? c.input2Count : 1
            let units = share(c.count / unit)
            if units.isEmpty { return }
            let start = units.lowerBound * unit, n = units.count * unit
            kernels.add(c.params, c.input1 + start, unit == 1 ? c.input2 + start : c.input2, unit == 1 ? n : c.input2Count, n,
                        c.output + start)
        case let .fullyConnected(c): if part == 0 { c.run(kernels) }
        case let .transposeConv2d(c): if part == 0 { TransposeConv2DOp.run(c) }
        case let .mean(c): if part == 0 { kernels.mean(c.params, c.input, c.output) }
        case let .concatenation(c): if part == 0 { ConcatenationOp.run(c, model, arena: arena) }
        case let .channelShuffle(c): if part == 0 { ChannelShuffleOp.run(c) }
        case let .reshape(c): if part == 0 { ReshapeOp.run(c) }
        case let .pad(c): if part == 0 { PadOp.run(c) }
        case let .resizeNearest(c): if part == 0 { ResizeNearestOp.run(c) }
        case let .softmax(c): if part == 0 { softmax_s8(c.params, input: c.input, output: c.output) }
        case let .lookup(c): if part == 0 { LookupOp.run(c) }
        case let .transpose(c): if part == 0 { TransposeOp.run(c) }
        }
    }
}
