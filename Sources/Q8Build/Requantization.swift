import Foundation
import Runtime

/// A real multiplier as TFLite's `QuantizeMultiplier` encodes it: `real ≈ multiplier · 2^shift / 2^31`
/// with `multiplier` in [2^30, 2^31) (Q31) and `shift` the power of two (negative: right shift).
///
/// `(q, e) = frexp(real)`, `multiplier = round(q · 2^31)` (half away from zero); if that reaches
/// 2^31 it becomes 2^30 with `e + 1`; if `e < −31` the multiplier is 0 with shift 0.
/// Example: 0.3 = 0.6 · 2^−1 → multiplier round(0.6 · 2^31) = 1288490189, shift −1.
/// A value no int32 multiplier encodes (infinite, NaN, or past 2^2^15) gives shift 32, which the
/// model.q8 validator refuses.
public func quantizeMultiplier(_ real: Double) -> (multiplier: Int32, shift: Int32) {
    if real == 0 { return (0, 0) }
    guard real.isFinite, abs(real.exponent) < 32_000 else { return (Int32.max, 32) }
    // frexp: |q| in [0.5, 1), real = q · 2^e.
    let (q, e) = ((real < 0 ? -real.significand : real.significand) / 2, Int(real.exponent) + 1)
    var fixed = Int64((q * 2_147_483_648).rounded(.toNearestOrAwayFromZero))
    var shift = e
    if fixed == 1 << 31 {
        fixed /= 2
        shift += 1
    }
    if shift < -31 { return (0, 0) }
    return (Int32(fixed), Int32(shift))
}

/// An op's fused activation, applied as the output clamp.
public enum FusedActivation: String, Sendable {
    case none = "NONE"
    case relu = "RELU"
    case relu6 = "RELU6"

    /// The clamp `[min, max]` on the int8 output with the given quantization, by TFLite's rule
    /// `q(f) = zeroPoint + round(Float(f) / scale)` (float32 division, half away from zero):
    /// none → [−128, 127]; relu → [max(−128, q(0)), 127]; relu6 → [max(−128, q(0)), min(127, q(6))].
    /// Example: scale 0.05, zero point −100, relu6 → [−100, 20].
    public func range(scale: Float, zeroPoint: Int32) -> (min: Int32, max: Int32) {
        func q(_ f: Float) -> Int32 { zeroPoint &+ saturatingInt32((f / scale).rounded(.toNearestOrAwayFromZero)) }
        switch self {
        case .none: return (-128, 127)
        case .relu: return (max(-128, q(0)), 127)
        case .relu6: return (max(-128, q(0)), min(127, q(6)))
        }
    }
}

/// Per-channel requantization of a convolution or dense layer:
/// `Double(inputScale) · Double(weightScale[c]) / Double(outputScale)`, left to right in double.
public func channelMultipliers(inputScale: Float, weightScales: [Float], outputScale: Float)
    -> (multipliers: [Int32], shifts: [Int32]) {
    let encoded = weightScales.map { quantizeMultiplier(Double(inputScale) * Double($0) / Double(outputScale)) }
    return (encoded.map(\.multiplier), encoded.map(\.shift))
}

/// `value` as an Int32, saturated (NaN → 0): for levels computed from a file's scales, which may
/// be anything.
public func saturatingInt32(_ value: Float) -> Int32 {
    value.isNaN ? 0 : Int32(max(-1_000_000_000, min(1_000_000_000, value)))
}
