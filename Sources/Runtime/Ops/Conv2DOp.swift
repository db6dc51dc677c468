/// model.q8 op 1, `conv2d`: a standard or grouped int8 convolution (TFLite's per-channel
/// `ConvPerChannel`), run by `conv2d_s8` and its twins, or by a set's packed GEMM kernel when the
/// filter is also stored in the `convQuads8` layout.
///
/// Slots (`Input`): x `[H, W, Cin]` int8; filter `[Cout, KH, KW, Cin/groups]` int8 (OHWI);
/// multipliers, shifts `[Cout]` int32; bias? `[Cout]` int32; packed filter? (`convQuads8`).
/// Words (`Word`): kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft,
/// groups, activationMin, activationMax. Output `[OH, OW, Cout]` int8.
/// Scratch: `scratchBytes` (the packed kernels' zero-point pixel) when the packed filter is present.
///
/// Bounds the validator proves: kernel, stride and dilation in 1...65536, padding in 0...65536,
/// every window touches the image and no coordinate passes 2^30; groups divide Cin and Cout;
/// the filter's element count (at most 2^30) equals Cout·KH·KW·Cin/groups; zero points in
/// [−128, 127] (so `(x − zp)·w` fits in 16 bits before widening); multipliers 0 or in
/// [2^30, 2^31) and shifts in [−31, 30]; the clamp inside [−128, 127]; any bias (sums wrap, as
/// TFLite's int32 sums do); the output apart from x and the scratch apart from both.
/// Example: 28×28×1 → 14×14×8 with a 3×3 kernel, stride 2: words 3, 3, 2, 2, 1, 1, 0, 0, 1, −128, 127.
public enum Conv2DOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "conv2d"
    public enum Input {
        public static let x = 0, filter = 1, multipliers = 2, shifts = 3, bias = 4, packedFilter = 5
    }
    public enum Word {
        public static let kernelH = 0, kernelW = 1, strideH = 2, strideW = 3, dilationH = 4, dilationW = 5
        public static let padTop = 6, padLeft = 7, groups = 8, activationMin = 9, activationMax = 10
        public static let count = 11
    }

    /// The output may overlap x at `rowByRowGap` or more bytes below or above it; the op then runs row by row.
    public static let inPlace = Q8InPlace.rowByRow

    /// The fewest bytes by which an output overlapping x must lie from it when a convolution (or
    /// depthwise convolution) is run `rows` output rows at a time, in `order`:
    /// - `.firstToLast`, the output below x (`x.offset − output.offset ≥ gap`), chunks of rows
    ///   `[y, y + rows)` from y = 0: writing rows 0…y + rows − 1 must leave every input row that
    ///   rows y and later read, those from `y·strideH − padTop` on, intact: the largest
    ///   `min(y + rows, OH)·rowOut − max(0, y·strideH − padTop)·rowIn`;
    /// - `.lastToFirst`, the output above x (`output.offset − x.offset ≥ gap`), chunks `[y, end)`
    ///   from the last row: writing rows y…last must leave every input row that rows up to
    ///   end − 1 read, those up to `(end − 1)·strideH − padTop + (kernelH − 1)·dilationH`, intact:
    ///   the largest `min(H, lastRead + 1)·rowIn − y·rowOut`;
    /// rounded up to the 16-byte tensor alignment (0 if never positive). The shapes are validated
    /// (each at most 2^28 bytes), so no product overflows.
    /// Example: 14×14×32 → 14×14×64, 1×1: rows of 448 and 896 bytes. First to last, one row at a
    /// time, at y = 13, 12,544 − 5,824 = 6,720: x starts 6,720 bytes into the output, which ends
    /// 448 bytes before x does; last to first, at y = 0, 448: the output starts 448 bytes into x.
    /// Either way the pair spans 12,992 bytes instead of 18,816. Two rows at a time first to last:
    /// 7,168.
    public static func rowByRowGap(_ order: RowOrder, rows: Int = 1, input: ImageShape, output: ImageShape, kernelH: Int, strideH: Int,
                                   dilationH: Int, padTop: Int) -> Int {
        let rowIn = input.width * input.channels, rowOut = output.width * output.channels
        let chunk = max(1, rows)
        var gap = 0
        if order == .lastToFirst {
            var end = output.height
            while end > 0 {
                let y = max(0, end - chunk)
                let rowsRead = min(max(0, (end - 1) * strideH - padTop + (kernelH - 1) * dilationH + 1), input.height)
                gap = max(gap, rowsRead * rowIn - y * rowOut)
                end = y
            }
        } else {
            var y = 0
            while y < output.height {
                let firstRowRead = min(max(0, y * strideH - padTop), input.height)
                gap = max(gap, min(y + chunk, output.height) * rowOut - firstRowRead * rowIn)
                y += chunk
            }
        }
        return (gap + 15) / 16 * 16
    }

    /// The most output rows at a time (a power of two, at most the output's height) whose gap in
    /// `order` is at most `distance`, the planned bytes between output and input: the op runs
    /// that many rows per kernel call (one where only the one-row gap fits).
    static func rowsAtOnce(_ order: RowOrder, distance: Int, _ p: Conv2DParams) -> Int {
        var rows = 1
        while rows < p.output.height,
              rowByRowGap(order, rows: rows * 2, input: p.input, output: p.output, kernelH: p.kernelH, strideH: p.strideH,
                          dilationH: p.dilationH, padTop: p.padTop) <= distance {
            rows *= 2
        }
        return min(rows, p.output.height)
    }

    /// Scratch bytes the packed kernels need: one pixel of the input zero point per group's input
    /// channels, rounded up to quads (`conv2d_s8_packed_avxvnni`); 0 without a packed filter.
    public static func scratchBytes(inputsPerGroup: Int, packed: Bool) -> Int {
        packed ? ConvQuads8Layout.quads(inputsPerGroup) * ConvQuads8Layout.quadChannels : 0
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(4, 6)
        let x = try v.activation(Input.x), out = v.output
        guard x.rank == 3, out.rank == 3 else { throw v.fail("convolution needs [H, W, C] input and output") }
        try v.requireSizes(Word.kernelH, 6, minimum: 1)
        try v.requireSizes(Word.padTop, 2, minimum: 0)
        try v.requireClamp(Word.activationMin)
        let cin = x.channels, cout = out.channels, groups = v.int(Word.groups)
        guard groups >= 1, cin % groups == 0, cout % groups == 0 else { throw v.fail("groups do not divide the channels") }
        let taps = try v.product(v.int(Word.kernelH), v.int(Word.kernelW))
        let filterCount = try v.product(try v.product(cout, taps), cin / groups)
        _ = try v.constant(Input.filter, .int8, count: filterCount)
        try v.requireChannelRequantization(multipliers: Input.multipliers, shifts: Input.shifts, bias: Input.bias, channels: cout)
        let packed = v.has(Input.packedFilter)
        if packed {
            let layout = ConvQuads8Layout(groups: groups, outputsPerGroup: cout / groups, taps: taps, inputsPerGroup: cin / groups)
            let count = try v.product(try v.product(try v.product(layout.blocks, taps), layout.quads), ConvQuads8Layout.quadBytes)
            _ = try v.constant(Input.packedFilter, .int8, count: count, layout: .convQuads8)
            guard convQuads8IsExactCopy(v.int8Constant(Input.packedFilter), of: v.int8Constant(Input.filter), outChannels: cout,
                                        taps: taps, inputsPerGroup: cin / groups, groups: groups) else {
                throw v.fail("packed filter is not the filter's convQuads8 copy in [-127, 127]")
            }
        }
        try v.requireWindow(input: x.dims.0, output: out.dims.0, kernel: v.int(Word.kernelH), stride: v.int(Word.strideH),
                            dilation: v.int(Word.dilationH), pad: v.int(Word.padTop))
        try v.requireWindow(input: x.dims.1, output: out.dims.1, kernel: v.int(Word.kernelW), stride: v.int(Word.strideW),
                            dilation: v.int(Word.dilationW), pad: v.int(Word.padLeft))
        try v.requireInPlaceRule(x)
        try v.requireScratch(bytes: scratchBytes(inputsPerGroup: cin / groups, packed: packed), apartFrom: x)
    }

    /// The op's shape and quantization parameters (no scratch), as convolutions and depthwise
    /// convolutions store them.
    static func params(_ v: OpView) -> Conv2DParams {
        let x = v.tensor(Input.x), out = v.output
        return Conv2DParams(input: x.image, output: out.image, kernelH: v.int(Word.kernelH), kernelW: v.int(Word.kernelW),
                            strideH: v.int(Word.strideH), strideW: v.int(Word.strideW), dilationH: v.int(Word.dilationH),
                            dilationW: v.int(Word.dilationW), padTop: v.int(Word.padTop), padLeft: v.int(Word.padLeft),
                            groups: v.int(Word.groups), inputZeroPoint: x.zeroPoint, outputZeroPoint: out.zeroPoint,
                            activationMin: v.word(Word.activationMin), activationMax: v.word(Word.activationMax))
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> ConvolutionCall {
        ConvolutionCall(v, arena: arena, packedFilter: v.has(Input.packedFilter) ? v.int8Constant(Input.packedFilter) : nil)
    }

    /// Runs `part`'s share of the output rows (`ConvolutionCall.rows`: split, a chunk at a time over
    /// its input, or none when a row stream's consumer pulls them: `RowStream`).
    static func run(_ c: ConvolutionCall, _ model: Q8Model, _ kernels: KernelSet, _ part: OpPart) {
        c.run(model, kernels, params, part) { p, input, output in compute(c, p, input: input, output: output, kernels) }
    }

    /// The output rows `p` describes, through `kernels` (the packed kernel where the set has one
    /// and the model carries the packed filter).
    @inline(__always)
    static func compute(_ c: ConvolutionCall, _ p: Conv2DParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                        _ kernels: KernelSet) {
        let o = c.operands
        if let packedFilter = c.packedFilter, let packed = kernels.conv2dPacked {
            packed.run(p, input, packedFilter, o.bias, o.requantization, output)
        } else {
            kernels.conv2d.run(p, input, o.filter, o.bias, o.requantization, output)
        }
    }

    /// Multiply-accumulates of a convolution or depthwise convolution: every output times its
    /// filter row (padded taps included; KH·KW for a depthwise one).
    static func macs(_ v: OpView) -> Int { v.count(v.output.count, v.tensor(Input.filter).count / max(v.output.channels, 1)) }

    /// The kernel `set` runs for this op: `conv2d_s8[_suffix]`, or the packed kernel's name with
    /// the tile it picks for `shape`.
    public static func kernelName(_ set: KernelSet, packed: Bool, shape: Conv2DParams) -> KernelName {
        guard packed, let kernel = set.conv2dPacked else { return KernelName("conv2d_s8", tile: set.conv2d.tile?(shape) ?? "", set.conv2d.suffix) }
        return KernelName("conv2d_s8_packed", tile: kernel.tile?(shape) ?? "", kernel.suffix)
    }
}

/// The operands every op with per-channel requantization reads, in the slots convolutions,
/// depthwise convolutions, transposed convolutions and dense layers share (x, filter,
/// multipliers, shifts, bias), decoded once when the interpreter starts.
struct ChannelOperands {
    var input: UnsafePointer<Int8>
    var filter: UnsafePointer<Int8>
    var bias: UnsafePointer<Int32>?
    var requantization: ChannelRequantization
    var output: UnsafeMutablePointer<Int8>

    init(_ v: OpView, arena: UnsafeMutableRawPointer) {
        input = UnsafePointer(v.activation(v.tensor(Conv2DOp.Input.x), in: arena))
        filter = v.int8Constant(Conv2DOp.Input.filter)
        bias = v.optionalInt32Constant(Conv2DOp.Input.bias)
        requantization = ChannelRequantization(multipliers: v.int32Constant(Conv2DOp.Input.multipliers),
                                               shifts: v.int32Constant(Conv2DOp.Input.shifts))
        output = v.activation(v.output, in: arena)
    }
}

/// A prepared convolution, depthwise convolution or transposed convolution: the op (whose shape
/// and quantization words its `run` decodes each time, which keeps the record small), how its
/// rows run (`RowOrder`), the operands, the packed filter where there is one, the arena scratch,
/// and for a row stream's consumer the producer's record (`RowStream`).
struct ConvolutionCall {
    var op: Int32
    var rows: RowOrder
    /// Output rows per kernel call when run in place (`Conv2DOp.rowsAtOnce`); 1 otherwise.
    var rowsAtOnce: Int32
    var operands: ChannelOperands
    var packedFilter: UnsafePointer<Int8>?
    var scratch: UnsafeMutableRawPointer?
    var producer: UnsafeRawPointer?

    /// Op `v` decoded against `arena` (its record among the arena's last bytes, like the
    /// producer's, whose address a stream's consumer keeps).
    init(_ v: OpView, arena: UnsafeMutableRawPointer, packedFilter: UnsafePointer<Int8>?) {
        op = Int32(truncatingIfNeeded: v.index)
        let x = v.tensor(Conv2DOp.Input.x)
        rows = v.rowOrder(x)
        rowsAtOnce = rows == .firstToLast || rows == .lastToFirst
            ? Int32(Conv2DOp.rowsAtOnce(rows, distance: v.inPlaceDistance(x, rows), Conv2DOp.params(v))) : 1
        operands = ChannelOperands(v, arena: arena)
        self.packedFilter = packedFilter
        scratch = v.scratch(in: arena)
        producer = rows == .pulling ? UnsafeRawPointer(arena + v.model.activationBytes + (v.index - 1) * Q8Format.preparedOpBytes) : nil
    }

    /// The kernel's parameters as `decode` reads them from the op's words, with the arena scratch.
    @inline(__always)
    func params(_ model: Q8Model, _ decode: (OpView) -> Conv2DParams) -> Conv2DParams {
        var p = decode(OpView(model, Int(op)))
        p.scratch = scratch
        return p
    }

    /// Runs `part`'s share of the output rows with `compute(p, input, output)`: split among the
    /// parts, a chunk of rows at a time in part 0 (over its input, or pulling a row stream), or none (a
    /// stream's producer: its consumer computes its rows).
    @inline(__always)
    func run(_ model: Q8Model, _ kernels: KernelSet, _ decode: (OpView) -> Conv2DParams, _ part: OpPart,
             _ compute: (Conv2DParams, UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void) {
        let whole = params(model, decode), rowBytes = whole.output.width * whole.output.channels
        switch rows {
        case .pulled: return
        case .pulling: if part.runsWhole { RowStream.pull(self, whole, model, kernels, part.scratch) }
        default:
            part.rows(whole.output.height, rows, atOnce: Int(rowsAtOnce)) { rows in
                compute(whole.rows(rows, scratch: part.scratch), operands.input, operands.output + rows.lowerBound * rowBytes)
            }
        }
    }
}

#if !hasFeature(Embedded)
extension Conv2DOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["kernel_h", "kernel_w", "stride_h", "stride_w", "dilation_h", "dilation_w", "pad_top", "pad_left", "groups", "activation_min", "activation_max"]
}

/// The window of a convolution, a depthwise convolution or a pool along both axes: strides,
/// dilations and the padding before the first row and column (the rest follows from the output).
public struct ConvWindow: Sendable {
    public var strideH, strideW, dilationH, dilationW, padTop, padLeft: Int

    public init(stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1), padTop: Int = 0, padLeft: Int = 0) {
        (strideH, strideW, dilationH, dilationW) = (stride.0, stride.1, dilation.0, dilation.1)
        (self.padTop, self.padLeft) = (padTop, padLeft)
    }
}

extension Q8OpWriter {
    /// Appends a `conv2d` of `x` (`[H, W, Cin]`) with `filter` `[Cout, KH, KW, Cin/groups]`, per-channel
    /// `multipliers`, `shifts` and `bias`, optionally its `convQuads8` copy, into `output`; the
    /// packed kernels' scratch is added when `packedFilter` is given. Example: a 3×3 stride-2 stem,
    /// `conv2d(x, filter: f, multipliers: m, shifts: s, bias: b, window: ConvWindow(stride: (2, 2)), output: y)`.
    public mutating func conv2d(_ x: Int, filter: Int, multipliers: Int, shifts: Int, bias: Int?, packedFilter: Int? = nil,
                                window w: ConvWindow, groups: Int = 1, clamp: (min: Int32, max: Int32) = (-128, 127), output: Int,
                                name: String = "") {
        let f = shape(of: filter)
        let bytes = Conv2DOp.scratchBytes(inputsPerGroup: f[3], packed: packedFilter != nil)
        appendRecord(.conv2d, inputs: packedFilter == nil ? [x, filter, multipliers, shifts, bias] : [x, filter, multipliers, shifts, bias, packedFilter],
                     output: output, words: Conv2DOp.words(kernelH: f[1], kernelW: f[2], w, groups: groups, clamp: clamp),
                     scratch: bytes > 0 ? scratchBytes(bytes) : nil, name: name)
    }
}

extension Conv2DOp {
    /// The words of a convolution or depthwise convolution, in `Word` order.
    static func words(kernelH: Int, kernelW: Int, _ w: ConvWindow, groups: Int, clamp: (min: Int32, max: Int32)) -> [Int32] {
        [kernelH, kernelW, w.strideH, w.strideW, w.dilationH, w.dilationW, w.padTop, w.padLeft, groups].map { Int32($0) } + [clamp.min, clamp.max]
    }
}
#endif
