/// model.q8 op 12, `transpose_conv2d`: an int8 transposed convolution (TFLite's
/// `TransposeConv` per channel), run by `transpose_conv2d_s8`.
///
/// Slots: as `Conv2DOp.Input` without the packed filter; the filter is `[Cout, KH, KW, Cin]`.
/// Words (`Word`): kernelH, kernelW, strideH, strideW, padTop, padLeft, activationMin,
/// activationMax (no dilation, no groups). Output `[OH, OW, Cout]`.
/// Scratch: int32 `[OH·OW·Cout]`, the accumulators every input pixel scatters into.
///
/// Bounds: kernel and stride in 1...65536, padding in 0...65536, the filter count at most 2^30;
/// requantization, zero points and clamp as `Conv2DOp`; the scratch apart from x and the output.
/// Example: 7×7×8 → 14×14×4, 3×3, stride 2, padding 1: words 3, 3, 2, 2, 1, 1, −128, 127.
public enum TransposeConv2DOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "transpose_conv2d"
    public typealias Input = Conv2DOp.Input
    public enum Word {
        public static let kernelH = 0, kernelW = 1, strideH = 2, strideW = 3, padTop = 4, padLeft = 5
        public static let activationMin = 6, activationMax = 7
        public static let count = 8
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(4, 5)
        let x = try v.activation(Input.x), out = v.output
        guard x.rank == 3, out.rank == 3 else { throw v.fail("transposed convolution needs [H, W, C] tensors") }
        try v.requireSizes(Word.kernelH, 4, minimum: 1)
        try v.requireSizes(Word.padTop, 2, minimum: 0)
        try v.requireClamp(Word.activationMin)
        let taps = try v.product(v.int(Word.kernelH), v.int(Word.kernelW))
        _ = try v.constant(Input.filter, .int8, count: try v.product(try v.product(out.channels, taps), x.channels))
        try v.requireChannelRequantization(multipliers: Input.multipliers, shifts: Input.shifts, bias: Input.bias,
                                           channels: out.channels)
        // Every input pixel's farthest tap, y·stride + kernel, stays under 2^30.
        guard try v.product(x.dims.0 - 1, v.int(Word.strideH)) + v.int(Word.kernelH) <= 1 << 30,
              try v.product(x.dims.1 - 1, v.int(Word.strideW)) + v.int(Word.kernelW) <= 1 << 30 else {
            throw v.fail("op sizes multiply past 2^30")
        }
        guard let s = v.op.scratch, s < v.model.tensorCount, v.model.tensor(s).type == .int32 else {
            throw v.fail("transposed convolution scratch is not int32 [OH·OW·Cout] in the arena")
        }
        try v.requireScratch(bytes: try v.product(out.count, 4), apartFrom: x)
        try v.requireSeparate(x)
    }

    /// The op's shape and quantization as the kernel's parameters (no scratch).
    static func params(_ v: OpView) -> Conv2DParams {
        let x = v.tensor(Input.x), out = v.output
        return Conv2DParams(input: x.image, output: out.image, kernelH: v.int(Word.kernelH), kernelW: v.int(Word.kernelW),
                            strideH: v.int(Word.strideH), strideW: v.int(Word.strideW), dilationH: 1, dilationW: 1,
                            padTop: v.int(Word.padTop), padLeft: v.int(Word.padLeft), groups: 1,
                            inputZeroPoint: x.zeroPoint, outputZeroPoint: out.zeroPoint,
                            activationMin: v.word(Word.activationMin), activationMax: v.word(Word.activationMax))
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> ConvolutionCall {
        ConvolutionCall(v, arena: arena, packedFilter: nil)
    }

    /// Multiply-accumulates: every input pixel scatters Cout·KH·KW products per input channel.
    static func macs(_ v: OpView) -> Int { v.count(v.tensor(Input.x).count, v.tensor(Input.filter).count / max(v.tensor(Input.x).channels, 1)) }

    /// Runs the reference kernel (no set has a twin), whole in part 0.
    static func run(_ c: ConvolutionCall, _ model: Q8Model, _ part: OpPart) {
        guard part.runsWhole else { return }
        let o = c.operands
        transpose_conv2d_s8(c.params(model, params), input: o.input, filter: o.filter, bias: o.bias, requantization: o.requantization,
                            scratch: c.scratch!.assumingMemoryBound(to: Int32.self), output: o.output)
    }

    public static let kernelName = KernelName("transpose_conv2d_s8", "")
}

#if !hasFeature(Embedded)
extension TransposeConv2DOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["kernel_h", "kernel_w", "stride_h", "stride_w", "pad_top", "pad_left", "activation_min", "activation_max"]
}

extension Q8OpWriter {
    /// Appends a `transpose_conv2d` of `x` with `filter` `[Cout, KH, KW, Cin]`, per-channel
    /// `multipliers`, `shifts` and `bias`, into `output`, with its int32 accumulator scratch.
    public mutating func transposeConv2d(_ x: Int, filter: Int, multipliers: Int, shifts: Int, bias: Int?, stride: (Int, Int),
                                         padTop: Int, padLeft: Int, clamp: (min: Int32, max: Int32) = (-128, 127), output: Int,
                                         name: String = "") {
        let f = shape(of: filter)
        appendRecord(.transposeConv2d, inputs: [x, filter, multipliers, shifts, bias], output: output,
                     words: [f[1], f[2], stride.0, stride.1, padTop, padLeft].map { Int32($0) } + [clamp.min, clamp.max],
                     scratch: scratch(shape(of: output).reduce(1, *)), name: name)
    }
}
#endif
