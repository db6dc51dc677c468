/// Parameters of the int8 mean over H and W (global average pool), `[H, W, C]` → `[C]`.
/// `multiplier`/`shift` encode `inputScale / outputScale` (TFLite's `QuantizeMultiplier`).
public struct MeanParams {
    public var input: ImageShape
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    public var multiplier: Int32
    public var shift: Int32

    public init(input: ImageShape, inputZeroPoint: Int32, outputZeroPoint: Int32, multiplier: Int32, shift: Int32) {
        self.input = input
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.multiplier = multiplier
        self.shift = shift
    }
}

/// Reference int8 mean over H and W, as TensorFlow Lite Micro computes it (`QuantizedMeanOrSum`,
/// which its MEAN takes for every int8 case: kept or dropped dimensions, equal or different
/// quantization in and out).
///
/// The `1 / n` is folded into the multiplier: with `k = min(floor(log2 n), 32, 31 + shift)`,
/// `m' = (multiplier · 2^k) / n` (truncating) and `shift' = shift − k`,
/// `out = clamp(multiplyByQuantizedMultiplier(Σ x − inputZeroPoint · n, m', shift') &+ outputZeroPoint)`.
/// Example: n = 49 → k = 5, m' = multiplier · 32 / 49. With equal quantization in and out
/// (multiplier 2^30, shift 1) this rounds the mean to nearest, ties toward +∞: a plain truncating
/// `Σ x / n` differs from TFLM in about a third of the channels.
public func mean_s8(_ p: MeanParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let n = p.input.height * p.input.width
    let c = p.input.channels
    let scaling = MeanScaling(p)
    for ch in 0..<c {
        var sum: Int32 = 0
        for i in 0..<n { sum &+= Int32(input[i * c + ch]) }
        output[ch] = scaling.output(sum)
    }
}

/// The arithmetic `mean_s8` applies to one channel's sum, with the folded multiplier computed
/// once per op; shared by the reference and its optimized twins, which only sum differently.
public struct MeanScaling {
    public let count: Int32
    public let multiplier: Int32
    public let shift: Int32
    public let inputZeroPoint: Int32
    public let outputZeroPoint: Int32

    public init(_ p: MeanParams) {
        let n = p.input.height * p.input.width
        var k = Int32(31 - UInt32(n).leadingZeroBitCount)
        k = min(min(k, 32), 31 + p.shift)
        count = Int32(n)
        multiplier = Int32(truncatingIfNeeded: (widen(p.multiplier) &<< widen(k)) / widen(count))
        shift = p.shift - k
        inputZeroPoint = p.inputZeroPoint
        outputZeroPoint = p.outputZeroPoint
    }

    /// The int8 mean of a channel whose `count` values sum to `sum`.
    @inlinable @inline(__always)
    public func output(_ sum: Int32) -> Int8 {
        clampToInt8(multiplyByQuantizedMultiplier(sum &- inputZeroPoint &* count, multiplier, shift) &+ outputZeroPoint, -128, 127)
    }
}
