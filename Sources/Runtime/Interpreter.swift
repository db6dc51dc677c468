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
/// `init` prepares every op once (`PreparedOp`, in the arena's last `opCount ·
/// Q8Format.preparedOpBytes` bytes: operand pointers and parameters; convolutions and pools
/// re-read their shape words at each run); `invoke` only dispatches. The arena must not be shared with
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
    /// `ParallelInvoker`; `run(i)` is part 0 of 1). Each op's `run` decides its split (`OpPart`):
    /// the parts write disjoint bytes and together compute exactly what the whole op does.
    /// `scratch` replaces the op's arena scratch, so that each thread has its own (nil: the arena's).
    /// Example: a 112-row convolution in 2 parts: rows 0..<56 and 56..<112.
    @inline(never)  // one copy of the dispatch: inlined into invoke it doubled the firmware's interpreter code
    public func run(_ i: Int, part: Int, of parts: Int, scratch: UnsafeMutableRawPointer?) {
        let record = (UnsafeMutableRawPointer(prepared) + i * Q8Format.preparedOpBytes).assumingMemoryBound(to: PreparedOp.self)
        let part = OpPart(index: part, count: parts, scratch: scratch)
        switch record.pointee {
        case let .conv2d(c): Conv2DOp.run(c, model, kernels, part)
        case let .depthwiseConv2d(c): DepthwiseConv2DOp.run(c, model, kernels, part)
        case let .transposeConv2d(c): TransposeConv2DOp.run(c, model, part)
        case let .fullyConnected(c): FullyConnectedOp.run(c, kernels, part)
        case let .maxPool2d(c): Pool2DOp.run(c, model, kernels.maxPool2d.run, part)
        case let .averagePool2d(c): Pool2DOp.run(c, model, kernels.averagePool2d.run, part)
        case let .mean(c): MeanOp.run(c, kernels, part)
        case let .add(c): AddOp.run(c, kernels, part)
        case let .concatenation(c): ConcatenationOp.run(c, model, arena: arena, part)
        case let .channelShuffle(c): ChannelShuffleOp.run(c, part)
        case let .reshape(c): ReshapeOp.run(c, part)
        case let .pad(c): PadOp.run(c, part)
        case let .resizeNearest(c): ResizeNearestOp.run(c, part)
        case let .resizeBilinear(c): ResizeBilinearOp.run(c, part)
        case let .softmax(c): SoftmaxOp.run(c, part)
        case let .lookup(c): LookupOp.run(c, kernels, part)
        case let .transpose(c): TransposeOp.run(c, part)
        case let .mul(c): MulOp.run(c, kernels, part)
        case let .sub(c): SubOp.run(c, part)
        case let .maximumMinimum(c): MaximumMinimumOp.run(c, part)
        case let .slice(c): SliceOp.run(c, part)
        }
    }
}
