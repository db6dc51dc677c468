/// model.q8 op 8, `concatenation`: int8 images joined along channels (a byte copy; inputs and
/// output share scale and zero point), run by `concat_s8` once per input.
///
/// Slots: 1 to 64 images `[H, W, C_k]`, all of the output's H and W. No words.
/// Output `[H, W, ΣC_k]`, apart from every input.
/// Example: [14, 14, 8] and [14, 14, 16] → [14, 14, 24].
public enum ConcatenationOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "concatenation"
    public enum Word {
        public static let count = 0
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 64)
        let out = v.output
        guard out.rank == 3 else { throw v.fail("concatenation needs [H, W, C] tensors") }
        var channels = 0
        for k in 0..<v.op.inputCount {
            let x = try v.activation(k)
            guard x.rank == 3, x.dims.0 == out.dims.0, x.dims.1 == out.dims.1 else { throw v.fail("concatenated images differ in H or W") }
            channels += x.channels
            try v.requireSeparate(x)
        }
        guard channels == out.channels else { throw v.fail("concatenated channels do not add up to the output's") }
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> ConcatenationCall {
        ConcatenationCall(op: v.index, output: v.activation(v.output, in: arena))
    }

    /// Copies every input into its channels of the output.
    static func run(_ c: ConcatenationCall, _ model: Q8Model, arena: UnsafeMutableRawPointer, _ part: OpPart) {
        guard part.runsWhole else { return }
        let v = OpView(model, c.op), out = v.output
        var offset = 0
        for k in 0..<v.op.inputCount {
            let part = v.tensor(k)
            concat_s8(input: v.activation(part, in: arena), channels: part.channels, pixels: out.dims.0 * out.dims.1,
                      outputChannels: out.channels, channelOffset: offset, output: c.output)
            offset += part.channels
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
    public static let wordNames: [String] = []
}

extension Q8OpWriter {
    /// Appends a `concatenation` of `xs` (images of equal H and W) along channels, into `output`.
    public mutating func concatenation(_ xs: [Int], output: Int, name: String = "") {
        appendRecord(.concatenation, inputs: xs, output: output, words: [], scratch: nil, name: name)
    }
}
#endif
