/// model.q8 op 11, `pad`: spatial padding of an image (TFLite's `Pad` on H and W, filled with the
/// output zero point, and `PadV2`, filled with its constant), run by `pad_s8`.
///
/// Slots (`Input`): x `[H, W, C]`. Words (`Word`): top, left (the bottom and right padding follow
/// from the output), fill (the int8 byte of the padded cells). Output `[OH, OW, C]` with
/// OH ≥ H + top, OW ≥ W + left, apart from x.
/// Bounds: top and left in 0...65536, fill in −128...127.
/// Example: [28, 28, 1] → [30, 30, 1] with zero point −128: words 1, 1, −128.
public enum PadOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "pad"
    public enum Input {
        public static let x = 0
    }
    public enum Word {
        public static let top = 0, left = 1, fill = 2
        public static let count = 3
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 1)
        let x = try v.activation(Input.x), out = v.output
        try v.requireSizes(Word.top, 2, minimum: 0)
        guard (-128...127).contains(v.word(Word.fill)) else { throw v.fail("pad fill is not an int8 value") }
        guard x.rank == 3, out.rank == 3, x.channels == out.channels,
              out.dims.0 >= x.dims.0 + v.int(Word.top), out.dims.1 >= x.dims.1 + v.int(Word.left) else {
            throw v.fail("pad output does not hold the padded input")
        }
        try v.requireSeparate(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> PadCall {
        let x = v.tensor(Input.x), out = v.output
        return PadCall(input: UnsafePointer(v.activation(x, in: arena)), inputShape: x.image, outputShape: out.image,
                       top: v.int(Word.top), left: v.int(Word.left), fill: Int8(truncatingIfNeeded: v.word(Word.fill)),
                       output: v.activation(out, in: arena))
    }

    static func run(_ c: PadCall, _ part: OpPart) {
        guard part.runsWhole else { return }
        pad_s8(input: c.input, inputShape: c.inputShape, outputShape: c.outputShape, top: c.top, left: c.left, fill: c.fill, output: c.output)
    }

    public static let kernelName = KernelName("pad_s8", "")
}

/// A prepared pad.
struct PadCall {
    var input: UnsafePointer<Int8>
    var inputShape: ImageShape
    var outputShape: ImageShape
    var top: Int
    var left: Int
    var fill: Int8
    var output: UnsafeMutablePointer<Int8>
}

#if !hasFeature(Embedded)
extension PadOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["top", "left", "fill"]
}

extension Q8OpWriter {
    /// Appends a `pad` of `x` by `top` rows and `left` columns (the output's shape gives the
    /// bottom and right padding), the new cells `fill` (PAD's: the output zero point), into `output`.
    public mutating func pad(_ x: Int, top: Int, left: Int, fill: Int8, output: Int, name: String = "") {
        appendRecord(.pad, inputs: [x], output: output, words: [Int32(top), Int32(left), Int32(fill)], scratch: nil, name: name)
    }
}
#endif
