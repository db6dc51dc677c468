/// model.q8 op 2, `depthwise_conv2d`: an int8 depthwise convolution with any depth multiplier
/// (TFLite's `DepthwiseConvPerChannel`), run by `dwconv2d_s8` and its twins.
///
/// Slots: as `Conv2DOp.Input` without the packed filter; the filter is `[KH, KW, Cout]`.
/// Words: as `Conv2DOp.Word`, with groups = Cin. Output `[OH, OW, Cout]`, Cout a multiple of Cin
/// (output channel `o` reads input channel `o / (Cout / Cin)`).
/// Scratch: `scratchBytes(taps:inputChannels:outputChannels:)`, what the largest kernel set needs
/// (the AVX2 kernel's tap offsets and widened weights, for its sixteen-channel path); every
/// twin's own need is at most that (tested).
///
/// Bounds: as `Conv2DOp`; the filter count KH·KW·Cout at most 2^30.
/// Example: 14×14×8 → 14×14×8, 3×3, stride 1, padding 1: words 3, 3, 1, 1, 1, 1, 1, 1, 8, −128, 127.
public enum DepthwiseConv2DOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "depthwise_conv2d"
    public typealias Input = Conv2DOp.Input
    public typealias Word = Conv2DOp.Word

    /// Scratch bytes for a `taps`-tap filter: 32 bytes of alignment, two 32-byte weight vectors
    /// per pair of taps and three 8-byte offsets per tap plus one (`dwconv2d_s8_avx2`), where its
    /// sixteen-channel path runs (16 or more channels, depth multiplier 1 or a multiple of 16);
    /// else none. Example: 3×3 over 32 channels → 32 + 64·5 + 24·10 = 592 bytes.
    public static func scratchBytes(taps: Int, inputChannels: Int, outputChannels: Int) -> Int {
        let multiplier = outputChannels / max(inputChannels, 1)
        guard outputChannels >= 16, multiplier == 1 || multiplier % 16 == 0 else { return 0 }
        return 32 + 64 * ((taps + 1) / 2) + 24 * (taps + 1)
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(4, 5)
        let x = try v.activation(Input.x), out = v.output
        guard x.rank == 3, out.rank == 3 else { throw v.fail("convolution needs [H, W, C] input and output") }
        try v.requireSizes(Word.kernelH, 6, minimum: 1)
        try v.requireSizes(Word.padTop, 2, minimum: 0)
        try v.requireClamp(Word.activationMin)
        let cin = x.channels, cout = out.channels
        guard v.int(Word.groups) == cin, cout % cin == 0 else { throw v.fail("depthwise groups must equal Cin and divide Cout") }
        let taps = try v.product(v.int(Word.kernelH), v.int(Word.kernelW))
        _ = try v.constant(Input.filter, .int8, count: try v.product(taps, cout))
        try v.requireChannelRequantization(multipliers: Input.multipliers, shifts: Input.shifts, bias: Input.bias, channels: cout)
        try v.requireWindow(input: x.dims.0, output: out.dims.0, kernel: v.int(Word.kernelH), stride: v.int(Word.strideH),
                            dilation: v.int(Word.dilationH), pad: v.int(Word.padTop))
        try v.requireWindow(input: x.dims.1, output: out.dims.1, kernel: v.int(Word.kernelW), stride: v.int(Word.strideW),
                            dilation: v.int(Word.dilationW), pad: v.int(Word.padLeft))
        try v.requireInPlaceRule(x)
        try v.requireScratch(bytes: scratchBytes(taps: taps, inputChannels: cin, outputChannels: cout), apartFrom: x)
    }

    /// The output may overlap x from `Conv2DOp.rowByRowGap` bytes before it; the op then runs row by row.
    public static let inPlace = Q8InPlace.rowByRow

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> ConvolutionCall {
        Conv2DOp.prepare(v, arena: arena)
    }

    /// Runs `part`'s share of the output rows through `kernels`; run in place over its input
    /// (`ConvolutionCall.rowByRow`), part 0 computes every row, one at a time in order.
    static func run(_ c: ConvolutionCall, _ model: Q8Model, _ kernels: KernelSet, _ part: OpPart) {
        let whole = c.params(model, Conv2DOp.params)
        @inline(__always) func rows(_ rows: Range<Int>) {
            let o = c.operands
            kernels.depthwiseConv2d(whole.rows(rows, scratch: part.scratch), o.input, o.filter, o.bias, o.requantization,
                                    o.output + rows.lowerBound * whole.output.width * whole.output.channels)
        }
        part.rows(whole.output.height, rowByRow: c.rowByRow, rows)
    }

    /// The kernel `set` runs for this op, with the tile it picks for `shape`.
    public static func kernelName(_ set: KernelSet, shape: Conv2DParams) -> KernelName {
        KernelName("dwconv2d_s8", tile: set.depthwiseConv2dTile?(shape) ?? "",
                   set.depthwiseConv2dSuffix.utf8CodeUnitCount > 0 ? set.depthwiseConv2dSuffix : set.suffix)
    }
}

#if !hasFeature(Embedded)
extension DepthwiseConv2DOp {
    /// The names of the op's words, in order, as `inspect` prints them (a convolution's).
    public static let wordNames = Conv2DOp.wordNames
}

extension Q8OpWriter {
    /// Appends a `depthwise_conv2d` of `x` (`[H, W, Cin]`) with `filter` `[KH, KW, Cout]` (Cout a
    /// multiple of Cin), per-channel `multipliers`, `shifts` and `bias`, into `output`, with the
    /// scratch the AVX2 kernel needs for its shape.
    public mutating func depthwiseConv2d(_ x: Int, filter: Int, multipliers: Int, shifts: Int, bias: Int?, window w: ConvWindow,
                                         clamp: (min: Int32, max: Int32) = (-128, 127), output: Int, name: String = "") {
        let f = shape(of: filter), cin = shape(of: x).last ?? 1
        let bytes = DepthwiseConv2DOp.scratchBytes(taps: f[0] * f[1], inputChannels: cin, outputChannels: f[2])
        appendRecord(.depthwiseConv2d, inputs: [x, filter, multipliers, shifts, bias], output: output,
                     words: Conv2DOp.words(kernelH: f[0], kernelW: f[1], w, groups: cin, clamp: clamp),
                     scratch: bytes > 0 ? scratchBytes(bytes) : nil, name: name)
    }
}
#endif
