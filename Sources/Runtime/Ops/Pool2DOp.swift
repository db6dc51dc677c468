/// model.q8 ops 4 `max_pool2d` and 5 `average_pool2d`: int8 pooling windows (TFLite's
/// `MaxPool`/`AveragePool`), run by `max_pool2d_s8`, `avg_pool2d_s8` and their twins. The two ops
/// share one contract; input and output share scale and zero point.
///
/// Slots (`Input`): x `[H, W, C]`. Words (`Word`): kernelH, kernelW, strideH, strideW, padTop,
/// padLeft, activationMin, activationMax. Output `[OH, OW, C]`.
///
/// Bounds: kernel and stride in 1...65536, padding below the window in each axis (so every window
/// holds at least one cell and the average never divides by 0), every window touches the image
/// and no coordinate passes 2^30; the clamp inside [−128, 127]. Average sums wrap in int32 like
/// TFLite's (a window of more than 2^24 cells could wrap; none this large is a real model).
/// Example: 28×28×8 → 14×14×8, 2×2 stride 2: words 2, 2, 2, 2, 0, 0, −128, 127.
public enum Pool2DOp {
    /// The ops' names in `inspect`, `bench` and docs/formats.md.
    public static let maxName: StaticString = "max_pool2d", averageName: StaticString = "average_pool2d"
    public enum Input {
        public static let x = 0
    }
    public enum Word {
        public static let kernelH = 0, kernelW = 1, strideH = 2, strideW = 3, padTop = 4, padLeft = 5
        public static let activationMin = 6, activationMax = 7
        public static let count = 8
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 1)
        let x = try v.activation(Input.x), out = v.output
        guard x.rank == 3, out.rank == 3, x.channels == out.channels else {
            throw v.fail("pooling needs one [H, W, C] input and output of equal C")
        }
        try v.requireSizes(Word.kernelH, 4, minimum: 1)
        try v.requireSizes(Word.padTop, 2, minimum: 0)
        try v.requireClamp(Word.activationMin)
        guard v.int(Word.padTop) < v.int(Word.kernelH), v.int(Word.padLeft) < v.int(Word.kernelW) else {
            throw v.fail("pool padding must be smaller than the window")
        }
        try v.requireWindow(input: x.dims.0, output: out.dims.0, kernel: v.int(Word.kernelH), stride: v.int(Word.strideH),
                            dilation: 1, pad: v.int(Word.padTop))
        try v.requireWindow(input: x.dims.1, output: out.dims.1, kernel: v.int(Word.kernelW), stride: v.int(Word.strideW),
                            dilation: 1, pad: v.int(Word.padLeft))
        try v.requireSeparate(x)
    }

    /// The op's shape and clamp as the kernel's parameters.
    static func params(_ v: OpView) -> Pool2DParams {
        Pool2DParams(input: v.tensor(Input.x).image, output: v.output.image, kernelH: v.int(Word.kernelH), kernelW: v.int(Word.kernelW),
                     strideH: v.int(Word.strideH), strideW: v.int(Word.strideW), padTop: v.int(Word.padTop),
                     padLeft: v.int(Word.padLeft), activationMin: v.word(Word.activationMin), activationMax: v.word(Word.activationMax))
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> PoolCall {
        PoolCall(op: Int32(truncatingIfNeeded: v.index), input: UnsafePointer(v.activation(v.tensor(Input.x), in: arena)),
                 output: v.activation(v.output, in: arena))
    }

    /// Runs `part`'s share of the output rows through `kernel` (the set's max or average pool).
    static func run(_ c: PoolCall, _ model: Q8Model, _ kernel: KernelSet.Pool, _ part: OpPart) {
        let p = params(OpView(model, Int(c.op))), rows = part.share(p.output.height)
        if rows.isEmpty { return }
        kernel(p.rows(rows), c.input, c.output + rows.lowerBound * p.output.width * p.output.channels)
    }

    /// One comparison or addition per window tap and output.
    static func macs(_ v: OpView) -> Int { v.count(v.output.count, v.count(v.int(Word.kernelH), v.int(Word.kernelW))) }

    public static func kernelName(_ set: KernelSet, average: Bool) -> KernelName {
        KernelName(average ? "avg_pool2d_s8" : "max_pool2d_s8", average ? set.averagePool2d.suffix : set.maxPool2d.suffix)
    }
}

/// A prepared pooling op.
struct PoolCall {
    /// The op, whose words `params` decodes at each run (a small record).
    var op: Int32
    var input: UnsafePointer<Int8>
    var output: UnsafeMutablePointer<Int8>
}

#if !hasFeature(Embedded)
extension Pool2DOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["kernel_h", "kernel_w", "stride_h", "stride_w", "pad_top", "pad_left", "activation_min", "activation_max"]
}

extension Q8OpWriter {
    /// Appends a `max_pool2d` (or with `average`, an `average_pool2d`) of `x` over `kernel`
    /// windows (the window's dilation is ignored), into `output`.
    /// Example: 2×2 windows at stride 2, `pool2d(x, average: false, kernel: (2, 2), window: ConvWindow(stride: (2, 2)), output: y)`.
    public mutating func pool2d(_ x: Int, average: Bool, kernel: (Int, Int), window w: ConvWindow,
                                clamp: (min: Int32, max: Int32) = (-128, 127), output: Int, name: String = "") {
        appendRecord(average ? .averagePool2d : .maxPool2d, inputs: [x], output: output,
                     words: [kernel.0, kernel.1, w.strideH, w.strideW, w.padTop, w.padLeft].map { Int32($0) } + [clamp.min, clamp.max],
                     scratch: nil, name: name)
    }
}
#endif
