/// model.q8 op 14, `softmax`: int8 softmax over the last axis (TFLite's `Softmax`, output scale
/// 1/256 and zero point −128), run by `softmax_s8`.
///
/// Slots (`Input`): x. Words (`Word`): inputMultiplier, inputLeftShift, diffMin (`softmaxParams`).
/// Output: x's element count, apart from x.
/// Bounds: inputMultiplier ≥ 0 (so every scaled difference is ≤ 0, where `exp` is defined),
/// inputLeftShift in 0...31, diffMin ≤ 0 (the row's largest value always counts, so the sum is
/// positive). The exponentials' sum wraps in int32 past 2^12 values of a row, as TFLite's does.
/// Example: 10 logits at scale 0.1: words from `softmaxParams(beta: 1, inputScale: 0.1, …)`.
public enum SoftmaxOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "softmax"
    public enum Input {
        public static let x = 0
    }
    public enum Word {
        public static let inputMultiplier = 0, inputLeftShift = 1, diffMin = 2
        public static let count = 3
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 1)
        let x = try v.activation(Input.x)
        guard x.count == v.output.count, v.word(Word.inputMultiplier) >= 0, v.int(Word.inputLeftShift) >= 0,
              v.int(Word.inputLeftShift) <= 31, v.int(Word.diffMin) <= 0 else {
            throw v.fail("softmax parameters out of range")
        }
        try v.requireSeparate(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> SoftmaxCall {
        let x = v.tensor(Input.x)
        return SoftmaxCall(params: SoftmaxParams(rows: x.count / x.channels, depth: x.channels, inputMultiplier: v.word(Word.inputMultiplier),
                                                 inputLeftShift: v.word(Word.inputLeftShift), diffMin: v.word(Word.diffMin)),
                           input: UnsafePointer(v.activation(x, in: arena)), output: v.activation(v.output, in: arena))
    }

    /// Runs `part`'s share of the rows.
    static func run(_ c: SoftmaxCall, _ part: OpPart) {
        let rows = part.share(c.params.rows)
        if rows.isEmpty { return }
        var p = c.params
        p.rows = rows.count
        softmax_s8(p, input: c.input + rows.lowerBound * p.depth, output: c.output + rows.lowerBound * p.depth)
    }

    public static let kernelName = KernelName("softmax_s8", "")
}

/// A prepared softmax.
struct SoftmaxCall {
    var params: SoftmaxParams
    var input: UnsafePointer<Int8>
    var output: UnsafeMutablePointer<Int8>
}

#if !hasFeature(Embedded)
extension SoftmaxOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["input_multiplier", "input_left_shift", "diff_min"]
}

extension Q8OpWriter {
    /// Appends a `softmax` of `x` along its last axis with `p`'s parameters, into `output`.
    public mutating func softmax(_ x: Int, _ p: SoftmaxParams, output: Int, name: String = "") {
        appendRecord(.softmax, inputs: [x], output: output, words: [p.inputMultiplier, p.inputLeftShift, p.diffMin], scratch: nil,
                     name: name)
    }
}
#endif
