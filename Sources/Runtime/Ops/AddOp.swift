/// model.q8 op 7, `add`: int8 element-wise addition (TFLite's `Add` with 20 bits of headroom),
/// run by `add_s8` and its twins.
///
/// Slots (`Input`): a, b (b the same element count as a, or C values, any shape such as `[C]` or
/// `[1, 1, C]`, broadcast along a's last axis). Words (`Word`): input1Multiplier, input1Shift, input2Multiplier, input2Shift,
/// outputMultiplier, outputShift, activationMin, activationMax. Output: a's element count.
/// The output may be written in place over a or b (same offset and size) or apart from them.
///
/// Bounds: multipliers 0 or in [2^30, 2^31), shifts in [−31, 30]; zero points in [−128, 127]
/// (so `(x − zp)·2^20` fits in 29 bits); the clamp inside [−128, 127]. The scaled inputs' sum
/// wraps in int32, as TFLite's does.
/// Example: two 14×14×16 tensors: words m1, s1, m2, s2, mOut, sOut, −128, 127 (`addParams`).
public enum AddOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "add"
    public enum Input {
        public static let a = 0, b = 1
    }
    public enum Word {
        public static let input1Multiplier = 0, input1Shift = 1, input2Multiplier = 2, input2Shift = 3
        public static let outputMultiplier = 4, outputShift = 5, activationMin = 6, activationMax = 7
        public static let count = 8
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(2, 2)
        let a = try v.activation(Input.a), b = try v.activation(Input.b), out = v.output
        guard a.count == out.count, b.count == a.count || b.count == a.channels else {
            throw v.fail("add inputs must match the output, or the second hold one value per channel")
        }
        try requireRequantization(v)
        try v.requireInPlaceRule(a)
        try v.requireInPlaceRule(b)
    }

    /// The words' bounds, shared with `sub`: three multipliers and shifts as `QuantizeMultiplier`
    /// makes them, the clamp inside int8.
    static func requireRequantization(_ v: OpView) throws(Q8Error) {
        try v.requireMultiplier(v.word(Word.input1Multiplier), shift: v.word(Word.input1Shift))
        try v.requireMultiplier(v.word(Word.input2Multiplier), shift: v.word(Word.input2Shift))
        try v.requireMultiplier(v.word(Word.outputMultiplier), shift: v.word(Word.outputShift))
        try v.requireClamp(Word.activationMin)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> BinaryCall<AddParams> {
        let params = AddParams(input1ZeroPoint: v.tensor(Input.a).zeroPoint, input2ZeroPoint: v.tensor(Input.b).zeroPoint,
                               outputZeroPoint: v.output.zeroPoint,
                               input1Multiplier: v.word(Word.input1Multiplier), input1Shift: v.word(Word.input1Shift),
                               input2Multiplier: v.word(Word.input2Multiplier), input2Shift: v.word(Word.input2Shift),
                               outputMultiplier: v.word(Word.outputMultiplier), outputShift: v.word(Word.outputShift),
                               activationMin: v.word(Word.activationMin), activationMax: v.word(Word.activationMax))
        return BinaryCall(v, params: params, arena: arena)
    }

    /// The output may be written over a (same offset and size; b may be anywhere it validates).
    public static let inPlace = Q8InPlace.overwrites

    /// Runs `part`'s share of the elements through `kernels`: a broadcast add is cut at whole
    /// rows of b, so b's index stays `i mod C`.
    static func run(_ c: BinaryCall<AddParams>, _ kernels: KernelSet, _ part: OpPart) {
        part.elements(c.count, input2Count: c.input2Count) { start, n, input2Start, input2Count in
            kernels.add.run(c.params, c.input1 + start, c.input2 + input2Start, input2Count, n, c.output + start)
        }
    }

    public static func kernelName(_ set: KernelSet) -> KernelName {
        KernelName("add_s8", set.add.suffix)
    }
}

#if !hasFeature(Embedded)
extension AddOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["input1_multiplier", "input1_shift", "input2_multiplier", "input2_shift", "output_multiplier", "output_shift", "activation_min", "activation_max"]

    /// `p` as the op's words (`sub`'s too), in `Word` order.
    static func words(_ p: AddParams) -> [Int32] {
        [p.input1Multiplier, p.input1Shift, p.input2Multiplier, p.input2Shift, p.outputMultiplier, p.outputShift, p.activationMin,
         p.activationMax]
    }
}

extension Q8OpWriter {
    /// Appends an `add` of `a` and `b` (b of a's element count, or one value per channel) with
    /// `p`'s requantization (its zero points come from the tensors), into `output`.
    public mutating func add(_ a: Int, _ b: Int, _ p: AddParams, output: Int, name: String = "") {
        appendRecord(.add, inputs: [a, b], output: output, words: AddOp.words(p), scratch: nil, name: name)
    }
}
#endif
