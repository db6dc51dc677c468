import Foundation

/// Per-tensor asymmetric int8 quantization, `real = scale · (q − zeroPoint)`, q in [−128, 127].
public struct AffineQuantization: Hashable, Sendable {
    public var scale: Float
    public var zeroPoint: Int

    public init(scale: Float, zeroPoint: Int) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// Parameters covering the observed range `[minimum, maximum]`, as TFLite chooses them: the
    /// range is first widened to contain 0, `scale = (max − min) / 255`, and the zero point is the
    /// integer nearest to `−128 − min / scale`, clamped to [−128, 127], so 0.0 is represented exactly.
    /// Example: [−1, 3] → scale 4/255 ≈ 0.015686, zero point −128 + 63.75 → −64.
    public init(minimum: Float, maximum: Float) {
        let lo = min(minimum, 0), hi = max(maximum, 0)
        guard hi > lo else {
            self.init(scale: 1, zeroPoint: 0)
            return
        }
        let scale = (hi - lo) / 255
        let zero = (-128 - Double(lo) / Double(scale)).rounded(.toNearestOrAwayFromZero)
        self.init(scale: scale, zeroPoint: Int(min(max(zero, -128), 127)))
    }

    /// The nearest int8 to `value`, saturated: `clamp(round(value / scale) + zeroPoint)`.
    public func quantize(_ value: Float) -> Int8 {
        let q = (value / scale).rounded(.toNearestOrAwayFromZero) + Float(zeroPoint)
        return Int8(min(max(q, -128), 127))
    }

    public func dequantize(_ q: Int8) -> Float { scale * Float(Int(q) - zeroPoint) }
}
