/// One op decoded for `Interpreter.invoke`: which kernel runs and everything it reads, so invoke
/// is a loop over these records with no parsing. `Interpreter.init` writes one per op into the
/// arena's last `opCount · Q8Format.preparedOpBytes` bytes (planned by the converter, like
/// TensorFlow Lite Micro's persistent op data). Only pointers and integers: trivially copyable.
enum PreparedOp {
    case conv2d(ConvolutionCall)
    case depthwiseConv2d(ConvolutionCall)
    case transposeConv2d(ConvolutionCall)
    case fullyConnected(DenseCall)
    case maxPool2d(PoolCall)
    case averagePool2d(PoolCall)
    case mean(MeanCall)
    case add(BinaryCall<AddParams>)
    case concatenation(ConcatenationCall)
    case channelShuffle(CopyCall)
    case reshape(CopyCall)
    case pad(PadCall)
    case resizeNearest(ResizeCall)
    case resizeBilinear(ResizeCall)
    case softmax(SoftmaxCall)
    case lookup(LookupCall)
    case transpose(TransposeCall)
    case mul(BinaryCall<MulParams>)
    case sub(BinaryCall<AddParams>)
    case maximumMinimum(BinaryCall<Bool>)
    case slice(SliceCall)

    /// Op `i` of a validated model, decoded against `arena`.
    init(_ model: Q8Model, _ i: Int, arena: UnsafeMutableRawPointer) {
        let v = OpView(model, i)
        switch v.op.code {
        case .conv2d: self = .conv2d(Conv2DOp.prepare(v, arena: arena))
        case .depthwiseConv2d: self = .depthwiseConv2d(DepthwiseConv2DOp.prepare(v, arena: arena))
        case .transposeConv2d: self = .transposeConv2d(TransposeConv2DOp.prepare(v, arena: arena))
        case .fullyConnected: self = .fullyConnected(FullyConnectedOp.prepare(v, arena: arena))
        case .maxPool2d: self = .maxPool2d(Pool2DOp.prepare(v, arena: arena))
        case .averagePool2d: self = .averagePool2d(Pool2DOp.prepare(v, arena: arena))
        case .mean: self = .mean(MeanOp.prepare(v, arena: arena))
        case .add: self = .add(AddOp.prepare(v, arena: arena))
        case .concatenation: self = .concatenation(ConcatenationOp.prepare(v, arena: arena))
        case .channelShuffle: self = .channelShuffle(ChannelShuffleOp.prepare(v, arena: arena))
        case .reshape: self = .reshape(ReshapeOp.prepare(v, arena: arena))
        case .pad: self = .pad(PadOp.prepare(v, arena: arena))
        case .resizeNearest: self = .resizeNearest(ResizeCall(v, arena: arena))
        case .resizeBilinear: self = .resizeBilinear(ResizeCall(v, arena: arena))
        case .softmax: self = .softmax(SoftmaxOp.prepare(v, arena: arena))
        case .lookup: self = .lookup(LookupOp.prepare(v, arena: arena))
        case .transpose: self = .transpose(TransposeOp.prepare(v, arena: arena))
        case .mul: self = .mul(MulOp.prepare(v, arena: arena))
        case .sub: self = .sub(SubOp.prepare(v, arena: arena))
        case .maximum, .minimum: self = .maximumMinimum(MaximumMinimumOp.prepare(v, arena: arena))
        case .slice: self = .slice(SliceOp.prepare(v, arena: arena))
        }
    }
}

/// One thread's share of an op (`Interpreter.run(_:part:of:scratch:)`): part `index` of `count`,
/// with its own scratch (nil: the arena's). Each op's `run` takes one and computes its share:
/// output rows, channels or elements, or the whole op in part 0 where it does not split.
/// Example: part 1 of 2 of 112 rows is rows 56..<112.
struct OpPart {
    var index: Int
    var count: Int
    var scratch: UnsafeMutableRawPointer?

    /// This part's share of `n` units: `n·index/count ..< n·(index + 1)/count`.
    @inline(__always) func share(_ n: Int) -> Range<Int> { (n * index / count)..<(n * (index + 1) / count) }

    /// Whether this part runs an op that does not split: part 0 runs it whole, the others nothing.
    var runsWhole: Bool { index == 0 }

    /// Calls `body` with this part's output rows of `height`: its share (`.split`), or for an op
    /// run in place every row, `atOnce` rows at a time in `order` (chunks from row 0, or from the
    /// last row), in part 0.
    @inline(__always)
    func rows(_ height: Int, _ order: RowOrder, atOnce: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunk = max(1, atOnce)
        switch order {
        case .split:
            let rows = share(height)
            if !rows.isEmpty { body(rows) }
        case .firstToLast:
            guard runsWhole else { return }
            var y = 0
            while y < height {
                body(y..<min(y + chunk, height))
                y += chunk
            }
        case .lastToFirst:
            guard runsWhole else { return }
            var end = height
            while end > 0 {
                body(max(0, end - chunk)..<end)
                end -= chunk
            }
        case .pulled, .pulling: return  // a row stream's ops: `ConvolutionCall.run` and `RowStream.pull` run them
        }
    }

    /// Calls `body` with this part's share of a binary element-wise op of `count` values whose
    /// second operand holds `input2Count` (all of them, or a vector repeated along the last axis):
    /// the first value, the count, and where the second operand's values start and how many there
    /// are. A broadcast is cut at whole repeats, so the second operand's index stays `i mod
    /// input2Count`. Example: 12 values, a 3-value vector, 2 parts: values 0..<6 and 6..<12.
    @inline(__always)
    func elements(_ count: Int, input2Count: Int, _ body: (_ start: Int, _ n: Int, _ input2Start: Int, _ input2Count: Int) -> Void) {
        let broadcast = input2Count < count, unit = broadcast ? input2Count : 1
        let units = share(count / unit)
        if units.isEmpty { return }
        let start = units.lowerBound * unit, n = units.count * unit
        body(start, n, broadcast ? 0 : start, broadcast ? input2Count : n)
    }
}

/// A prepared binary element-wise op (add, mul): its parameters, both operands (the second of
/// `input2Count` values, all `count` or a broadcast vector) and the output.
struct BinaryCall<Params> {
    var params: Params
    var input1: UnsafePointer<Int8>
    var input2: UnsafePointer<Int8>
    var input2Count: Int
    var count: Int
    var output: UnsafeMutablePointer<Int8>

    /// The op `v` with its operands in slots 0 and 1, decoded against `arena`.
    init(_ v: OpView, params: Params, arena: UnsafeMutableRawPointer) {
        let a = v.tensor(0), b = v.tensor(1), out = v.output
        self.params = params
        input1 = UnsafePointer(v.activation(a, in: arena))
        input2 = UnsafePointer(v.activation(b, in: arena))
        input2Count = b.count
        count = out.count
        output = v.activation(out, in: arena)
    }
}

/// How an op's output may share the bytes of its first input (slot 0): the planner's in-place
/// rule (`Q8Program.arenaBuffers`), which the op's `validate` checks with the same value.
public enum Q8InPlace: UInt8, Sendable {
    /// Never: the output lies apart from every input.
    case never
    /// An element-wise op: the output may start where slot 0 starts, with its size, when slot 0
    /// dies there and is no model input (the op would overwrite it).
    case overwrites
    /// The output may be slot 0's very bytes, even a model input's: the op then writes nothing.
    case aliases
    /// A windowed op (convolution, depthwise convolution): the output may overlap slot 0 when
    /// slot 0 dies there (a model input too: invoking consumes it), starting `gap` or more bytes
    /// below it or above it (`Conv2DOp.rowByRowGap`); the op then runs its output rows a chunk at
    /// a time (`Conv2DOp.rowsAtOnce`), first to last or last to first (`RowOrder`), so no row it
    /// writes reaches an input row it still has to read, whatever order its kernel keeps inside
    /// a chunk.
    case rowByRow
}

/// How a windowed op's output rows run: split among threads; a chunk at a time from the first
/// (the output overlapping its input from below) or from the last (from above); not at all, a
/// row stream's consumer computing them as it needs them (`pulled`); or a step at a time, each
/// after the stream rows it reads (`pulling`, `RowStream`).
public enum RowOrder: UInt8, Sendable {
    case split, firstToLast, lastToFirst, pulled, pulling
}

extension Q8OpCode {
    /// How the op's output may share its first input's bytes (its file's `inPlace`).
    public var inPlace: Q8InPlace {
        switch self {
        case .add: return AddOp.inPlace
        case .lookup: return LookupOp.inPlace
        case .reshape: return ReshapeOp.inPlace
        case .mul: return MulOp.inPlace
        case .sub: return SubOp.inPlace
        case .maximum, .minimum: return MaximumMinimumOp.inPlace
        case .conv2d: return Conv2DOp.inPlace
        case .depthwiseConv2d: return DepthwiseConv2DOp.inPlace
        case .transposeConv2d, .fullyConnected, .maxPool2d, .averagePool2d, .mean, .concatenation, .channelShuffle, .pad,
             .resizeNearest, .resizeBilinear, .softmax, .transpose, .slice: return .never
        }
    }

    /// The number of int32 parameter words the op carries (its file's `Word.count`).
    public var parameterCount: Int {
        switch self {
        case .conv2d, .depthwiseConv2d: return Conv2DOp.Word.count
        case .transposeConv2d: return TransposeConv2DOp.Word.count
        case .fullyConnected: return FullyConnectedOp.Word.count
        case .maxPool2d, .averagePool2d: return Pool2DOp.Word.count
        case .mean: return MeanOp.Word.count
        case .add: return AddOp.Word.count
        case .concatenation: return ConcatenationOp.Word.count
        case .channelShuffle: return ChannelShuffleOp.Word.count
        case .reshape: return ReshapeOp.Word.count
        case .pad: return PadOp.Word.count
        case .resizeNearest: return ResizeNearestOp.Word.count
        case .resizeBilinear: return ResizeBilinearOp.Word.count
        case .softmax: return SoftmaxOp.Word.count
        case .lookup: return LookupOp.Word.count
        case .transpose: return TransposeOp.Word.count
        case .mul: return MulOp.Word.count
        case .sub: return SubOp.Word.count
        case .maximum, .minimum: return MaximumMinimumOp.Word.count
        case .slice: return SliceOp.Word.count
        }
    }

#if !hasFeature(Embedded)
    /// The names of the op's parameter words, in order (its file's `wordNames`).
    public var wordNames: [String] {
        switch self {
        case .conv2d: return Conv2DOp.wordNames
        case .depthwiseConv2d: return DepthwiseConv2DOp.wordNames
        case .transposeConv2d: return TransposeConv2DOp.wordNames
        case .fullyConnected: return FullyConnectedOp.wordNames
        case .maxPool2d, .averagePool2d: return Pool2DOp.wordNames
        case .mean: return MeanOp.wordNames
        case .add: return AddOp.wordNames
        case .concatenation: return ConcatenationOp.wordNames
        case .channelShuffle: return ChannelShuffleOp.wordNames
        case .reshape: return ReshapeOp.wordNames
        case .pad: return PadOp.wordNames
        case .resizeNearest: return ResizeNearestOp.wordNames
        case .resizeBilinear: return ResizeBilinearOp.wordNames
        case .softmax: return SoftmaxOp.wordNames
        case .lookup: return LookupOp.wordNames
        case .transpose: return TransposeOp.wordNames
        case .mul: return MulOp.wordNames
        case .sub: return SubOp.wordNames
        case .maximum, .minimum: return MaximumMinimumOp.wordNames
        case .slice: return SliceOp.wordNames
        }
    }
#endif

    /// The op's name (`conv2d`, `max_pool2d`, …), from its file.
    public var name: StaticString {
        switch self {
        case .conv2d: return Conv2DOp.name
        case .depthwiseConv2d: return DepthwiseConv2DOp.name
        case .transposeConv2d: return TransposeConv2DOp.name
        case .fullyConnected: return FullyConnectedOp.name
        case .maxPool2d: return Pool2DOp.maxName
        case .averagePool2d: return Pool2DOp.averageName
        case .mean: return MeanOp.name
        case .add: return AddOp.name
        case .concatenation: return ConcatenationOp.name
        case .channelShuffle: return ChannelShuffleOp.name
        case .reshape: return ReshapeOp.name
        case .pad: return PadOp.name
        case .resizeNearest: return ResizeNearestOp.name
        case .resizeBilinear: return ResizeBilinearOp.name
        case .softmax: return SoftmaxOp.name
        case .lookup: return LookupOp.name
        case .transpose: return TransposeOp.name
        case .mul: return MulOp.name
        case .sub: return SubOp.name
        case .maximum: return MaximumMinimumOp.maximumName
        case .minimum: return MaximumMinimumOp.minimumName
        case .slice: return SliceOp.name
        }
    }

    /// Checks op `v` against its op's contract (the op files' `validate`).
    func validate(_ v: OpView) throws(Q8Error) {
        switch self {
        case .conv2d: try Conv2DOp.validate(v)
        case .depthwiseConv2d: try DepthwiseConv2DOp.validate(v)
        case .transposeConv2d: try TransposeConv2DOp.validate(v)
        case .fullyConnected: try FullyConnectedOp.validate(v)
        case .maxPool2d, .averagePool2d: try Pool2DOp.validate(v)
        case .mean: try MeanOp.validate(v)
        case .add: try AddOp.validate(v)
        case .concatenation: try ConcatenationOp.validate(v)
        case .channelShuffle: try ChannelShuffleOp.validate(v)
        case .reshape: try ReshapeOp.validate(v)
        case .pad: try PadOp.validate(v)
        case .resizeNearest: try ResizeNearestOp.validate(v)
        case .resizeBilinear: try ResizeBilinearOp.validate(v)
        case .softmax: try SoftmaxOp.validate(v)
        case .lookup: try LookupOp.validate(v)
        case .transpose: try TransposeOp.validate(v)
        case .mul: try MulOp.validate(v)
        case .sub: try SubOp.validate(v)
        case .maximum, .minimum: try MaximumMinimumOp.validate(v)
        case .slice: try SliceOp.validate(v)
        }
    }
}

/// A kernel's name as the op's base name, the tile its set picks for the op's shape (XNNPACK's
/// grammar: pixels × channels, `c4` for quads of input channels; empty where a kernel has one
/// shape) and the set's ISA suffix: `conv2d_s8_packed` + `4x32c4` + `avx512vnni` is
/// `conv2d_s8_packed_4x32c4_avx512vnni`; the reference kernels have neither.
public struct KernelName: Sendable {
    public var base: StaticString
    public var tile: StaticString
    public var suffix: StaticString

    public init(_ base: StaticString, tile: StaticString = "", _ suffix: StaticString) {
        self.base = base
        self.tile = tile
        self.suffix = suffix
    }
}

extension Q8Model {
    /// Multiply-accumulates of op `i` of a validated model (pools and means: one addition or comparison per window
    /// tap; byte copies and tables: 0), from its file's `macs`, as `bench` reports them.
    public func macs(ofOp i: Int) -> Int {
        let v = OpView(self, i)
        switch v.op.code {
        case .conv2d, .depthwiseConv2d: return Conv2DOp.macs(v)
        case .transposeConv2d: return TransposeConv2DOp.macs(v)
        case .fullyConnected: return FullyConnectedOp.macs(v)
        case .maxPool2d, .averagePool2d: return Pool2DOp.macs(v)
        case .mean: return MeanOp.macs(v)
        case .add, .mul, .sub, .maximum, .minimum, .slice, .concatenation, .channelShuffle, .reshape, .pad, .resizeNearest, .resizeBilinear, .softmax, .lookup, .transpose: return 0
        }
    }

    /// The kernel `set` runs for op `i`, as `inspect` and `bench` print it: convolutions and
    /// depthwise convolutions with the tile the set picks for the op's shape.
    public func kernelName(ofOp i: Int, _ set: KernelSet) -> KernelName {
        let v = OpView(self, i)
        switch v.op.code {
        case .conv2d: return Conv2DOp.kernelName(set, packed: v.has(Conv2DOp.Input.packedFilter), shape: Conv2DOp.params(v))
        case .depthwiseConv2d: return DepthwiseConv2DOp.kernelName(set, shape: Conv2DOp.params(v))
        case .transposeConv2d: return TransposeConv2DOp.kernelName
        case .fullyConnected: return FullyConnectedOp.kernelName(set)
        case .maxPool2d: return Pool2DOp.kernelName(set, average: false)
        case .averagePool2d: return Pool2DOp.kernelName(set, average: true)
        case .mean: return MeanOp.kernelName(set)
        case .add: return AddOp.kernelName(set)
        case .concatenation: return ConcatenationOp.kernelName
        case .channelShuffle: return ChannelShuffleOp.kernelName
        case .reshape: return ReshapeOp.kernelName
        case .pad: return PadOp.kernelName
        case .resizeNearest: return ResizeNearestOp.kernelName
        case .resizeBilinear: return ResizeBilinearOp.kernelName
        case .softmax: return SoftmaxOp.kernelName
        case .lookup: return LookupOp.kernelName(set)
        case .transpose: return TransposeOp.kernelName
        case .mul: return MulOp.kernelName(set)
        case .sub: return SubOp.kernelName
        case .maximum, .minimum: return MaximumMinimumOp.kernelName
        case .slice: return SliceOp.kernelName
        }
    }
}
