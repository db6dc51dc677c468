/// model.q8 op 6, `mean`: the int8 mean over H and W (a global average pool, TFLite's `Mean` with
/// axes [1, 2]), run by `mean_s8` and its twins.
///
/// Slots (`Input`): x `[H, W, C]`. Words (`Word`): multiplier, shift (input scale / output
/// scale, as `QuantizeMultiplier` makes them). Output `[C]` (any shape of C values).
///
/// Bounds: multiplier 0 or in [2^30, 2^31), shift in [−31, 30]; H·W at most 2^28 (a tensor's
/// limit). The sum and `zp·H·W` wrap in int32, as TFLite's do.
/// Example: 7×7×64 → 64: words (multiplier, shift of inputScale/outputScale).
public enum MeanOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "mean"
    public enum Input {
        public static let x = 0
    }
    public enum Word {
        public static let multiplier = 0, shift = 1
        public static let count = 2
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 1)
        let x = try v.activation(Input.x)
        guard x.rank == 3, v.output.count == x.channels else { throw v.fail("mean needs [H, W, C] in and [C] out") }
        try v.requireMultiplier(v.word(Word.multiplier), shift: v.word(Word.shift))
        try v.requireSeparate(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> MeanCall {
        let x = v.tensor(Input.x), out = v.output
        return MeanCall(params: MeanParams(input: x.image, inputZeroPoint: x.zeroPoint, outputZeroPoint: out.zeroPoint,
                                           multiplier: v.word(Word.multiplier), shift: v.word(Word.shift)),
                        input: UnsafePointer(v.activation(x, in: arena)), output: v.activation(out, in: arena))
    }

    /// Runs through `kernels`, whole in part 0.
    static func run(_ c: MeanCall, _ kernels: KernelSet, _ part: OpPart) {
        if part.runsWhole { kernels.mean.run(c.params, c.input, c.output) }
    }

    /// One addition per input value.
    static func macs(_ v: OpView) -> Int { v.tensor(Input.x).count }

    public static func kernelName(_ set: KernelSet) -> KernelName { KernelName("mean_s8", set.mean.suffix) }
}

/// A prepared mean.
struct MeanCall {
    var params: MeanParams
    var input: UnsafePointer<Int8>
    var output: UnsafeMutablePointer<Int8>
}

#if !hasFeature(Embedded)
extension MeanOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["multiplier", "shift"]
}

extension Q8OpWriter {
    /// Appends a `mean` over H and W of `x` with `p`'s requantization, into `output`.
    public mutating func mean(_ x: Int, _ p: MeanParams, output: Int, name: String = "") {
        appendRecord(.mean, inputs: [x], output: output, words: [p.multiplier, p.shift], scratch: nil,
                     name: name)
    }
}
#endif
