/// model.q8 op 8, `concatenation`: int8 tensors `[A, B, C]` joined along one axis (a byte copy;
/// inputs and output share scale and zero point; TFLite's `Concatenation`), run by `concat_s8`
/// once per input: each input is `outer` rows of `inner_k` bytes (`outer` the product of the
/// dims before the axis, `inner_k` its dim at the axis times those after), placed side by side.
///
/// Slots: 1 to 64 tensors `[A, B, C]`, equal to the output's but along the axis. Words (`Word`):
/// axis (0, 1 or 2). Output: the dims with the axis summed, apart from every input.
/// Example: [14, 14, 8] and [14, 14, 16] along axis 2 → [14, 14, 24]; [3, 4, 5] and [2, 4, 5]
/// along axis 0 → [5, 4, 5] (one row of 60 bytes, then one of 40).
public enum ConcatenationOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "concatenation"
    public enum Word {
        public static let axis = 0
        public static let count = 1
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 64)
        let out = v.output, axis = v.int(Word.axis)
        guard out.rank == 3, (0...2).contains(axis) else { throw v.fail("concatenation needs [A, B, C] tensors and an axis of 0, 1 or 2") }
        var total = 0
        for k in 0..<v.op.inputCount {
            let x = try v.activation(k)
            guard x.rank == 3, x.equalDims(out, but: axis) else {
                throw v.fail("concatenated tensors differ along another axis")
            }
            total += x.dim(axis)
            try v.requireSeparate(x)
        }
        guard total == out.dim(axis) else { throw v.fail("concatenated sizes do not add up to the output's") }
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> ConcatenationCall {
        ConcatenationCall(op: v.index, output: v.activation(v.output, in: arena))
    }

    /// Copies every input into its place in each of the output's `outer` rows.
    static func run(_ c: ConcatenationCall, _ model: Q8Model, arena: UnsafeMutableRawPointer, _ part: OpPart) {
        guard part.runsWhole else { return }
        let v = OpView(model, c.op), out = v.output, axis = v.int(Word.axis)
        let outer = out.rows(before: axis)
        let rowBytes = out.count / outer
        var offset = 0
        for k in 0..<v.op.inputCount {
            let x = v.tensor(k), inner = x.count / outer
            concat_s8(input: v.activation(x, in: arena), channels: inner, pixels: outer, outputChannels: rowBytes, channelOffset: offset,
                      output: c.output)
            offset += inner
        }
    }

    public static let kernelName = KernelName("concat_s8", "")
}

/// A prepared concatenation: its inputs are listed in the model (any number of them).
struct ConcatenationCall {
    var op: Int
    var output: UnsafeMutablePointer<Int8>
}

#if !hasFeature(Embedded)
extension ConcatenationOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["axis"]
}

extension Q8OpWriter {
    /// Appends a `concatenation` of `xs` (`[A, B, C]` tensors equal but along `axis`) along
    /// `axis` (2: channels), into `output`.
    public mutating func concatenation(_ xs: [Int], axis: Int = 2, output: Int, name: String = "") {
        appendRecord(.concatenation, inputs: xs, output: output, words: [Int32(axis)], scratch: nil, name: name)
    }
}
#endif
