/// model.q8 op 2, `depthwise_conv2d`: an int8 depthwise convolution with any depth multiplier
/// (TFLite's `DepthwiseConvPerChannel`), run by `dwconv2d_s8` and its twins.
///
/// Slots: as `Conv2DOp.Input` without the packed filter; the filter is `[KH, KW, Cout]`.
/// Words: as `Conv2DOp.Word`, with groups = Cin. Output `[OH, OW, Cout]`, Cout a multiple of Cin
/// (output channel `o` reads input channel `o / (Cout / Cin)`).
/// Scratch: none (a kernel that prepares per-call tables keeps them on its own stack), so the
/// arena holds only the input and output, which may overlap (`inPlace`).
///
/// Bounds: as `Conv2DOp`; the filter count KH·KW·Cout at most 2^30.
/// Example: 14×14×8 → 14×14×8, 3×3, stride 1, padding 1: words 3, 3, 1, 1, 1, 1, 1, 1, 8, −128, 127.
public enum DepthwiseConv2DOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "depthwise_conv2d"
    public typealias Input = Conv2DOp.Input
    public typealias Word = Conv2DOp.Word

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
        try v.requireScratch(bytes: 0, apartFrom: x)
    }

    /// The output may overlap x at `Conv2DOp.rowByRowGap` or more bytes below or above it; the op then runs row by row.
    public static let inPlace = Q8InPlace.rowByRow

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> ConvolutionCall {
        ConvolutionCall(v, arena: arena, packedFilter: nil)
    }

    /// Runs `part`'s share of the output rows (`ConvolutionCall.rows`: split, a chunk at a time over
    /// its input, or none when a row stream's consumer pulls them: `RowStream`).
    static func run(_ c: ConvolutionCall, _ model: Q8Model, _ kernels: KernelSet, _ part: OpPart) {
        c.run(model, kernels, Conv2DOp.params, part) { p, input, output in compute(c, p, input: input, output: output, kernels) }
    }

    /// The output rows `p` describes, through `kernels`.
    @inline(__always)
    static func compute(_ c: ConvolutionCall, _ p: Conv2DParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
                        _ kernels: KernelSet) {
        let o = c.operands
        kernels.depthwiseConv2d.run(p, input, o.filter, o.bias, o.requantization, output)
    }

    /// The kernel `set` runs for this op, with the tile it picks for `shape`.
    public static func kernelName(_ set: KernelSet, shape: Conv2DParams) -> KernelName {
        KernelName("dwconv2d_s8", tile: set.depthwiseConv2d.tile?(shape) ?? "", set.depthwiseConv2d.suffix)
    }
}

#if !hasFeature(Embedded)
extension DepthwiseConv2DOp {
    /// The names of the op's words, in order, as `inspect` prints them (a convolution's).
    public static let wordNames = Conv2DOp.wordNames
}

extension Q8OpWriter {
    /// Appends a `depthwise_conv2d` of `x` (`[H, W, Cin]`) with `filter` `[KH, KW, Cout]` (Cout a
    /// multiple of Cin), per-channel `multipliers`, `shifts` and `bias`, into `output`.
    public mutating func depthwiseConv2d(_ x: Int, filter: Int, multipliers: Int, shifts: Int, bias: Int?, window w: ConvWindow,
                                         clamp: (min: Int32, max: Int32) = (-128, 127), output: Int, name: String = "") {
        let f = shape(of: filter), cin = shape(of: x).last ?? 1
        appendRecord(.depthwiseConv2d, inputs: [x, filter, multipliers, shifts, bias], output: output,
                     words: Conv2DOp.words(kernelH: f[0], kernelW: f[1], w, groups: cin, clamp: clamp), scratch: nil, name: name)
    }
}
#endif
