/// model.q8 op 10, `reshape`: the same bytes under another shape (a copy, or nothing when the
/// planner put the output over the input).
///
/// Slots (`Input`): x. No words. Output: x's element count, in place (same offset and size) or
/// apart from x.
/// Example: [1, 1, 64] → [64].
public enum ReshapeOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "reshape"
    public enum Input {
        public static let x = 0
    }
    public enum Word {
        public static let count = 0
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 1)
        let x = try v.activation(Input.x)
        guard x.count == v.output.count else { throw v.fail("reshape changes the element count") }
        try v.requireInPlaceRule(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> CopyCall {
        let x = v.tensor(Input.x)
        return CopyCall(input: UnsafePointer(v.activation(x, in: arena)), output: v.activation(v.output, in: arena),
                        count: x.count, channels: x.channels, parameter: 0)
    }

    /// The output may be x's very bytes (then nothing is copied), even a model input's.
    public static let inPlace = Q8InPlace.aliases

    static func run(_ c: CopyCall, _ part: OpPart) {
        guard part.runsWhole else { return }
        if UnsafePointer(c.output) != c.input { UnsafeMutableRawPointer(c.output).copyMemory(from: c.input, byteCount: c.count) }
    }

    public static let kernelName = KernelName("copy_s8", "")
}

#if !hasFeature(Embedded)
extension ReshapeOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = []
}

extension Q8OpWriter {
    /// Appends a `reshape` of `x` into `output` (the same bytes under another shape).
    public mutating func reshape(_ x: Int, output: Int, name: String = "") {
        appendRecord(.reshape, inputs: [x], output: output, words: [], scratch: nil, name: name)
    }
}
#endif
