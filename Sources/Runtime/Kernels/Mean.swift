/// Parameters of the int8 mean over H and W (global average pool), `[H, W, C]` → `[C]`.
/// `multiplier`/`shift` encode `inputScale / outputScale` (TFLite's `QuantizeMultiplier`).
public struct MeanParams {
    public var input: ImageShape
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    public var multiplier: Int32
    public var shift: Int32
    /// Input and output quantization are identical: TFLite then divides the raw sum directly.
    public var sameQuantization: Bool

    public init(input: ImageShape, inputZeroPoint: Int32, outputZeroPoint: Int32, multiplier: Int32, shift: Int32,
                sameQuantization: Bool) {
        self.input = input
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.multiplier = multiplier
        self.shift = shift
        self.sameQuantization = sameQuantization
    }
}

/// Reference int8 mean over H and W, as TensorFlow Lite Micro computes it.
///
/// With the same quantization in and out: `out = Σ x / n`, truncating toward zero.
/// Otherwise the `1 / n` is folded into the multiplier: with `k = min(floor(log2 n), 32, 31 + shift)`,
/// `m' = (multiplier · 2^k) / n` (truncating) and `shift' = shift − k`,
/// `out = clamp(multiplyByQuantizedMultiplier(Σ x − inputZeroPoint · n, m', shift') + outputZeroPoint)`.
/// Example: n = 49 → k = 5, m' = multiplier · 32 / 49.
public func mean_s8(_ p: MeanParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let n = p.input.height * p.input.width
    let c = p.input.channels
    var k = Int32(31 - UInt32(n).leadingZeroBitCount)
    k = min(min(k, 32), 31 + p.shift)
    let multiplier = Int32(truncatingIfNeeded: (widen(p.multiplier) &<< widen(k)) / widen(Int32(n)))
    let shift = p.shift - k
    for ch in 0..<c {
        var sum: Int32 = 0
        for i in 0..<n { sum += Int32(input[i * c + ch]) }
        if p.sameQuantization {
            output[ch] = Int8(truncatingIfNeeded: sum / Int32(n))
        } else {
            let scaled = multiplyByQuantizedMultiplier(sum - p.inputZeroPoint * Int32(n), multiplier, shift)
            output[ch] = clampToInt8(scaled + p.outputZeroPoint, -128, 127)
        }
    }
}
