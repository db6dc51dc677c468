/// model.q8 ops 20 and 21, `maximum` and `minimum`: the int8 element-wise maximum or minimum of
/// two tensors on their raw bytes (TFLite's `Maximum`/`Minimum`, which do not requantize), run by
/// `maximum_minimum_s8`.
///
/// Slots (`Input`): a, b (b a's element count, C values broadcast along a's last axis, or one
/// value for all). No words. Output: a's element count, written in place over a (same offset and
/// size) or apart from a and b.
/// Example: a 7×7×32 tensor and a `[1]` constant 0 byte: op 20 clamps it from below.
public enum MaximumMinimumOp {
    /// The ops' names in `inspect`, `bench` and docs/formats.md.
    public static let maximumName: StaticString = "maximum", minimumName: StaticString = "minimum"
    public typealias Input = MulOp.Input
    public enum Word {
        public static let count = 0
    }

    /// The output may be written over a (same offset and size).
    public static let inPlace = Q8InPlace.overwrites

    static func validate(_ v: OpView) throws(Q8Error) { try v.requireBroadcastPair() }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> BinaryCall<Bool> {
        BinaryCall(v, params: v.op.code == .maximum, arena: arena)
    }

    /// Runs `part`'s share of the elements, cut at whole rows of b when b is broadcast.
    static func run(_ c: BinaryCall<Bool>, _ part: OpPart) {
        part.elements(c.count, input2Count: c.input2Count) { start, n, input2Start, input2Count in
            maximum_minimum_s8(maximum: c.params, input1: c.input1 + start, input2: c.input2 + input2Start, input2Count: input2Count,
                               count: n, output: c.output + start)
        }
    }

    public static let kernelName = KernelName("maximum_minimum_s8", "")
}

#if !hasFeature(Embedded)
extension MaximumMinimumOp {
    /// The names of the ops' words (none).
    public static let wordNames: [String] = []
}

extension Q8OpWriter {
    /// Appends a `maximum` (or, with `maximum: false`, a `minimum`) of `a` and `b` (b of a's
    /// element count, one value per channel, or one value), into `output`.
    public mutating func maximumMinimum(_ a: Int, _ b: Int, maximum: Bool, output: Int, name: String = "") {
        appendRecord(maximum ? .maximum : .minimum, inputs: [a, b], output: output, words: [], scratch: nil, name: name)
    }
}
#endif
