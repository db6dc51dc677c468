/// model.q8 op 17, `mul`: int8 element-wise multiplication (TFLite's `Mul`: squeeze-excitation
/// gates, hard-swish built from parts), run by `mul_s8`.
///
/// Slots (`Input`): a, b (b a's element count, C values broadcast along a's last axis, or one
/// value for all). Words (`Word`): outputMultiplier, outputShift (`scale_a · scale_b /
/// outputScale` as `QuantizeMultiplier` makes it), activationMin, activationMax. Output: a's
/// element count, written in place over a (same offset and size) or apart from a and b.
///
/// Bounds: the multiplier 0 or in [2^30, 2^31), the shift in [−31, 30]; zero points in
/// [−128, 127], so `(a − zp)·(b − zp)` is at most 255² in magnitude; the clamp inside
/// [−128, 127]. A left shift wraps in int32, as TFLite's does.
/// Example: a 7×7×96 tensor times a [1, 1, 96] gate: words m, s, −128, 127 (`mulParams`).
public enum MulOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "mul"
    public enum Input {
        public static let a = 0, b = 1
    }
    public enum Word {
        public static let outputMultiplier = 0, outputShift = 1, activationMin = 2, activationMax = 3
        public static let count = 4
    }

    /// The output may be written over a (same offset and size).
    public static let inPlace = Q8InPlace.overwrites

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireBroadcastPair()
        try v.requireMultiplier(v.word(Word.outputMultiplier), shift: v.word(Word.outputShift))
        try v.requireClamp(Word.activationMin)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> BinaryCall<MulParams> {
        let params = MulParams(input1ZeroPoint: v.tensor(Input.a).zeroPoint, input2ZeroPoint: v.tensor(Input.b).zeroPoint,
                               outputZeroPoint: v.output.zeroPoint,
                               outputMultiplier: v.word(Word.outputMultiplier), outputShift: v.word(Word.outputShift),
                               activationMin: v.word(Word.activationMin), activationMax: v.word(Word.activationMax))
        return BinaryCall(v, params: params, arena: arena)
    }

    /// Runs `part`'s share of the elements, cut at whole rows of b when b is broadcast.
    static func run(_ c: BinaryCall<MulParams>, _ kernels: KernelSet, _ part: OpPart) {
        part.elements(c.count, input2Count: c.input2Count) { start, n, input2Start, input2Count in
            kernels.mul.run(c.params, c.input1 + start, c.input2 + input2Start, input2Count, n, c.output + start)
        }
    }

    /// The kernel `set` runs for this op.
    public static func kernelName(_ set: KernelSet) -> KernelName { KernelName("mul_s8", set.mul.suffix) }
}

#if !hasFeature(Embedded)
extension MulOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["output_multiplier", "output_shift", "activation_min", "activation_max"]
}

extension Q8OpWriter {
    /// Appends a `mul` of `a` and `b` (b of a's element count, one value per channel, or one
    /// value) with `p`'s requantization (its zero points come from the tensors), into `output`.
    public mutating func mul(_ a: Int, _ b: Int, _ p: MulParams, output: Int, name: String = "") {
        appendRecord(.mul, inputs: [a, b], output: output, words: [p.outputMultiplier, p.outputShift, p.activationMin, p.activationMax],
                     scratch: nil, name: name)
    }
}
#endif
