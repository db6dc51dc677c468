/// model.q8 op 13, `resize_nearest`: nearest-neighbour resize of an image (TFLite's
/// `ResizeNearestNeighbor`), the source row and column of every output pixel precomputed by the
/// converter, run by `resize_nearest_s8`.
///
/// Slots (`Input`): x `[H, W, C]`; rows int32 `[OH]`, each in 0..<H; cols int32 `[OW]`, each in
/// 0..<W. No words. Output `[OH, OW, C]`, apart from x.
/// Example: 7×7 → 14×14 (scale 2): rows = cols = [0, 0, 1, 1, …, 6, 6].
public enum ResizeNearestOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "resize_nearest"
    public enum Input {
        public static let x = 0, rows = 1, cols = 2
    }
    public enum Word {
        public static let count = 0
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        let (x, out) = try ResizeCall.validateImages(v)
        try requireIndices(v, try v.constant(Input.rows, .int32, count: out.dims.0), below: x.dims.0)
        try requireIndices(v, try v.constant(Input.cols, .int32, count: out.dims.1), below: x.dims.1)
    }

    static func requireIndices(_ v: OpView, _ t: Q8Tensor, below limit: Int) throws(Q8Error) {
        for k in 0..<t.count {
            let index = v.model.constantBytes(t).loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)
            guard index >= 0, Int(index) < limit else { throw v.fail("resize source index outside the input") }
        }
    }

    static func run(_ c: ResizeCall, _ part: OpPart) {
        guard part.runsWhole else { return }
        resize_nearest_s8(input: c.input, inputShape: c.inputShape, outputShape: c.outputShape, rows: c.rows, cols: c.cols, output: c.output)
    }

    public static let kernelName = KernelName("resize_nearest_s8", "")
}

/// A prepared resize (nearest or bilinear: slots x, rows, cols; no words).
struct ResizeCall {
    var input: UnsafePointer<Int8>
    var inputShape: ImageShape
    var outputShape: ImageShape
    var rows: UnsafePointer<Int32>
    var cols: UnsafePointer<Int32>
    var output: UnsafeMutablePointer<Int8>

    init(_ v: OpView, arena: UnsafeMutableRawPointer) {
        let x = v.tensor(ResizeNearestOp.Input.x), out = v.output
        input = UnsafePointer(v.activation(x, in: arena))
        inputShape = x.image
        outputShape = out.image
        rows = v.int32Constant(ResizeNearestOp.Input.rows)
        cols = v.int32Constant(ResizeNearestOp.Input.cols)
        output = v.activation(out, in: arena)
    }

    /// The slots both resizes share: three inputs, x and the output `[H, W, C]` of equal C, apart.
    static func validateImages(_ v: OpView) throws(Q8Error) -> (x: Q8Tensor, out: Q8Tensor) {
        try v.requireInputCount(3, 3)
        let x = try v.activation(ResizeNearestOp.Input.x), out = v.output
        guard x.rank == 3, out.rank == 3, x.channels == out.channels else { throw v.fail("resize needs [H, W, C] tensors of equal C") }
        try v.requireSeparate(x)
        return (x, out)
    }
}

#if !hasFeature(Embedded)
extension ResizeNearestOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = []
}

extension Q8OpWriter {
    /// Appends a `resize_nearest` of `x` into `output`: output row i copies input row `rows[i]`,
    /// column j input column `cols[j]` (TFLite's source indices, `nearestSourceIndices`).
    public mutating func resizeNearest(_ x: Int, rows: [Int32], cols: [Int32], output: Int, name: String = "") {
        let r = constant(rows, shape: [rows.count]), c = constant(cols, shape: [cols.count])
        appendRecord(.resizeNearest, inputs: [x, r, c], output: output, words: [], scratch: nil, name: name)
    }
}
#endif
