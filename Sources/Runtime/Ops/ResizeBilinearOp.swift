/// model.q8 op 18, `resize_bilinear`: bilinear resize of an image (TFLite's `ResizeBilinear`
/// on int8: the output keeps the input's quantization, TFLM does not requantize), the source
/// rows, columns and 10-bit fractions precomputed by the converter, run by `resize_bilinear_s8`.
///
/// Slots (`Input`): x `[H, W, C]`; rows int32 `[OH · 3]`, per output row `(y0, y1, dy)` with y0,
/// y1 in 0..<H and dy in [−1024, 2048]; cols int32 `[OW · 3]` the same over W. No words. Output
/// `[OH, OW, C]`, apart from x. Every product stays under 2^31 · 2^7, in 64 bits.
/// Example: 4×4 → 8×8 with half-pixel centres: rows = cols = (0,0,−256), (0,1,256), (0,1,768), …
public enum ResizeBilinearOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "resize_bilinear"
    /// The same slots as `ResizeNearestOp` (one `ResizeCall` serves both).
    public typealias Input = ResizeNearestOp.Input
    public enum Word {
        public static let count = 0
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        let (x, out) = try ResizeCall.validateImages(v)
        try requireTaps(v, try v.constant(Input.rows, .int32, count: try v.product(out.dims.0, 3)), below: x.dims.0)
        try requireTaps(v, try v.constant(Input.cols, .int32, count: try v.product(out.dims.1, 3)), below: x.dims.1)
    }

    /// Each `(i0, i1, d)` triple: both indices in 0..<limit, the fraction in [−1024, 2048].
    static func requireTaps(_ v: OpView, _ t: Q8Tensor, below limit: Int) throws(Q8Error) {
        let bytes = v.model.constantBytes(t)
        for k in 0..<(t.count / 3) {
            let i0 = bytes.loadUnaligned(fromByteOffset: 12 * k, as: Int32.self), i1 = bytes.loadUnaligned(fromByteOffset: 12 * k + 4, as: Int32.self)
            let d = bytes.loadUnaligned(fromByteOffset: 12 * k + 8, as: Int32.self)
            guard i0 >= 0, Int(i0) < limit, i1 >= 0, Int(i1) < limit else { throw v.fail("resize source index outside the input") }
            guard d >= -1024, d <= 2048 else { throw v.fail("resize fraction outside [-1024, 2048]", value: Int(d)) }
        }
    }

    static func run(_ c: ResizeCall, _ part: OpPart) {
        guard part.runsWhole else { return }
        resize_bilinear_s8(input: c.input, inputShape: c.inputShape, outputShape: c.outputShape, rows: c.rows, cols: c.cols, output: c.output)
    }

    public static let kernelName = KernelName("resize_bilinear_s8", "")
}

#if !hasFeature(Embedded)
extension ResizeBilinearOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = []
}

extension Q8OpWriter {
    /// Appends a `resize_bilinear` of `x` into `output` with TFLite's taps per output row and
    /// column (`bilinearTaps`: `(y0, y1, dy)` triples).
    public mutating func resizeBilinear(_ x: Int, rows: [Int32], cols: [Int32], output: Int, name: String = "") {
        let r = constant(rows, shape: [rows.count]), c = constant(cols, shape: [cols.count])
        appendRecord(.resizeBilinear, inputs: [x, r, c], output: output, words: [], scratch: nil, name: name)
    }
}
#endif
