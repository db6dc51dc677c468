/// model.q8 op 16, `transpose`: an axis permutation of up to four dimensions (TFLite's
/// TRANSPOSE; PyTorch exports put an NCHW → NHWC one at the input), run by `transpose_s8`.
/// A byte permutation: input and output share scale and zero point.
///
/// Slots (`Input`): x. Words (`Word`): rank r (1...4), the input's dims d0...d3 (1 past r), the
/// permutation p0...p3 (output axis k is input axis p_k; `p_k = k` past r). Output: x's count,
/// apart from x.
/// Bounds: each dim in 1...65536, their product x's count; the permutation a permutation of
/// 0..<r.
/// Example: [2, 2, 3] (C, H, W) to [2, 3, 2] (H, W, C): words 3, 2, 2, 3, 1, 1, 2, 0, 3.
public enum TransposeOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "transpose"
    public enum Input {
        public static let x = 0
    }
    public enum Word {
        public static let rank = 0, dim0 = 1, permutation0 = 5
        public static let count = 9
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 1)
        let x = try v.activation(Input.x)
        let rank = v.int(Word.rank)
        guard rank >= 1, rank <= 4 else { throw v.fail("transpose rank is not 1 to 4", value: rank) }
        try v.requireSizes(Word.dim0, 4, minimum: 1)
        var count = 1, seen = 0
        for k in 0..<4 {
            count = try v.product(count, v.int(Word.dim0 + k))
            let p = v.int(Word.permutation0 + k)
            guard k < rank ? (p >= 0 && p < rank) : (p == k && v.int(Word.dim0 + k) == 1) else {
                throw v.fail("transpose permutation is not a permutation of its axes", value: p)
            }
            seen |= 1 << p
        }
        guard seen == 15 else { throw v.fail("transpose permutation repeats an axis") }
        guard count == x.count, v.output.count == x.count else { throw v.fail("transpose dims do not match its tensors") }
        try v.requireSeparate(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> TransposeCall {
        TransposeCall(input: UnsafePointer(v.activation(v.tensor(Input.x), in: arena)),
                      dims: (v.int(Word.dim0), v.int(Word.dim0 + 1), v.int(Word.dim0 + 2), v.int(Word.dim0 + 3)),
                      perm: (v.int(Word.permutation0), v.int(Word.permutation0 + 1), v.int(Word.permutation0 + 2),
                             v.int(Word.permutation0 + 3)),
                      output: v.activation(v.output, in: arena))
    }

    static func run(_ c: TransposeCall, _ part: OpPart) {
        if part.runsWhole { transpose_s8(input: c.input, dims: c.dims, perm: c.perm, output: c.output) }
    }

    public static let kernelName = KernelName("transpose_s8", "")
}

/// A prepared transpose.
struct TransposeCall {
    var input: UnsafePointer<Int8>
    var dims: (Int, Int, Int, Int)
    var perm: (Int, Int, Int, Int)
    var output: UnsafeMutablePointer<Int8>
}

#if !hasFeature(Embedded)
extension TransposeOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["rank", "dim0", "dim1", "dim2", "dim3", "permutation0", "permutation1", "permutation2", "permutation3"]
}

extension Q8OpWriter {
    /// Appends a `transpose` of `x`, seen as `dims` (1 to 4 of them), by `permutation`, into `output`.
    /// Example: `[2, 3]` by `[1, 0]`: words 2, 2, 3, 1, 1, 1, 0, 2, 3.
    public mutating func transpose(_ x: Int, dims: [Int], permutation: [Int], output: Int, name: String = "") {
        let r = dims.count
        let words = [Int32(r)] + (0..<4).map { Int32($0 < r ? dims[$0] : 1) } + (0..<4).map { Int32($0 < r ? permutation[$0] : $0) }
        appendRecord(.transpose, inputs: [x], output: output, words: words, scratch: nil, name: name)
    }
}
#endif
