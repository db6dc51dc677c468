/// model.q8 op 22, `slice`: a contiguous range of an int8 tensor `[A, B, C]` along one axis (a
/// byte copy; TFLite's SPLIT, SPLIT_V and unit-stride STRIDED_SLICE, one op per output and
/// sliced axis), run by `slice_s8`.
///
/// Slots (`Input`): x `[A, B, C]`. Words (`Word`): axis (0, 1 or 2), begin (the first index
/// taken along it). Output `[A', B', C']`: x's dims but along the axis, where begin + its size
/// ≤ x's; apart from x.
/// Example: [6, 6, 32] split into two along channels: words (2, 0) → [6, 6, 16] and (2, 16) → [6, 6, 16].
public enum SliceOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "slice"
    public enum Input {
        public static let x = 0
    }
    public enum Word {
        public static let axis = 0, begin = 1
        public static let count = 2
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 1)
        let x = try v.activation(Input.x), out = v.output, axis = v.int(Word.axis), begin = v.int(Word.begin)
        guard x.rank == 3, out.rank == 3, (0...2).contains(axis), begin >= 0 else { throw v.fail("slice needs [A, B, C] tensors, an axis of 0, 1 or 2 and a begin ≥ 0") }
        guard x.equalDims(out, but: axis), begin <= x.dim(axis) - out.dim(axis) else {
            throw v.fail("slice output is not a range of the input along the axis")
        }
        try v.requireSeparate(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> SliceCall {
        let x = v.tensor(Input.x), out = v.output, axis = v.int(Word.axis)
        let rows = x.rows(before: axis), inputRow = x.count / rows
        return SliceCall(input: UnsafePointer(v.activation(x, in: arena)), output: v.activation(out, in: arena), rows: rows,
                         inputRow: inputRow, outputRow: out.count / rows, offset: v.int(Word.begin) * (inputRow / x.dim(axis)))
    }

    /// Copies the range, whole in part 0.
    static func run(_ c: SliceCall, _ part: OpPart) {
        guard part.runsWhole else { return }
        slice_s8(input: c.input, rows: c.rows, inputRow: c.inputRow, outputRow: c.outputRow, offset: c.offset, output: c.output)
    }

    public static let kernelName = KernelName("slice_s8", "")
}

/// A prepared slice: `rows` rows of `outputRow` bytes from rows of `inputRow` bytes at `offset`.
struct SliceCall {
    var input: UnsafePointer<Int8>
    var output: UnsafeMutablePointer<Int8>
    var rows: Int
    var inputRow: Int
    var outputRow: Int
    var offset: Int
}

#if !hasFeature(Embedded)
extension SliceOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["axis", "begin"]
}

extension Q8OpWriter {
    /// Appends a `slice` of `x` (`[A, B, C]`) from `begin` along `axis`, as long as `output` is there.
    public mutating func slice(_ x: Int, axis: Int, begin: Int, output: Int, name: String = "") {
        appendRecord(.slice, inputs: [x], output: output, words: [Int32(axis), Int32(begin)], scratch: nil, name: name)
    }
}
#endif
