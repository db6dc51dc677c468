/// model.q8 op 19, `sub`: int8 element-wise subtraction `a − b` (TFLite's `Sub`, the same
/// 20 bits of headroom and constants as `add`), run by `sub_s8`.
///
/// Slots (`Input`): a, b (b the same element count as a, or C values broadcast along a's last
/// axis, or one value for all). Words (`Word`): input1Multiplier, input1Shift, input2Multiplier,
/// input2Shift, outputMultiplier, outputShift, activationMin, activationMax (`addParams`).
/// Output: a's element count, written in place over a (same offset and size) or apart from a and b.
///
/// Bounds: as `add`'s: multipliers 0 or in [2^30, 2^31), shifts in [−31, 30], zero points in
/// [−128, 127], the clamp inside [−128, 127]; the scaled difference wraps in int32, as TFLite's does.
/// Example: x − mean of a 1×1×3 per-channel mean: a `[H, W, 3]`, b `[3]`; words m1, s1, m2, s2, mOut, sOut, −128, 127.
public enum SubOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "sub"
    public typealias Input = AddOp.Input
    public typealias Word = AddOp.Word

    /// The output may be written over a (same offset and size).
    public static let inPlace = Q8InPlace.overwrites

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireBroadcastPair()
        try AddOp.requireRequantization(v)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> BinaryCall<AddParams> {
        AddOp.prepare(v, arena: arena)
    }

    /// Runs `part`'s share of the elements, cut at whole rows of b when b is broadcast.
    static func run(_ c: BinaryCall<AddParams>, _ part: OpPart) {
        part.elements(c.count, input2Count: c.input2Count) { start, n, input2Start, input2Count in
            sub_s8(c.params, input1: c.input1 + start, input2: c.input2 + input2Start, input2Count: input2Count, count: n,
                   output: c.output + start)
        }
    }

    public static let kernelName = KernelName("sub_s8", "")
}

#if !hasFeature(Embedded)
extension SubOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames = AddOp.wordNames
}

extension Q8OpWriter {
    /// Appends a `sub` `a − b` (b of a's element count, one value per channel, or one value) with
    /// `p`'s requantization (`addParams`; its zero points come from the tensors), into `output`.
    public mutating func sub(_ a: Int, _ b: Int, _ p: AddParams, output: Int, name: String = "") {
        appendRecord(.sub, inputs: [a, b], output: output, words: AddOp.words(p), scratch: nil, name: name)
    }
}
#endif
