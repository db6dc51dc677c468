import Foundation
import Q8Build
import Runtime

/// TensorFlow Lite Micro's int8 element-wise functions as 256-entry tables (`table[q + 128]`),
/// each entry computed with TFLM's own integer arithmetic, so a `lookup` op gives TFLM's bytes
/// exactly (a table from the float function can differ by one step). Every function's
/// parameters are derived from the tensors' scales as TFLM's `Prepare` derives them.
enum ElementwiseTables {
    /// QUANTIZE int8 → int8 (TFLM's `Requantize`): `zpOut + MBQM(q − zpIn, m, s)`, clamped,
    /// with `(m, s) = QuantizeMultiplier(Double(inScale) / Double(outScale))`.
    static func requantize(input: AffineQuantization, output: AffineQuantization) -> [Int8] {
        let (m, s) = quantizeMultiplier(Double(input.scale) / Double(output.scale))
        return table { q in Int32(output.zeroPoint) &+ multiplyByQuantizedMultiplier(q &- Int32(input.zeroPoint), m, s) }
    }

    /// RELU (TFLM's `ReluQuantized`): the requantization clamped below at the output zero point.
    static func relu(input: AffineQuantization, output: AffineQuantization) -> [Int8] {
        let low = Int8(output.zeroPoint)  // a validated int8 zero point
        return requantize(input: input, output: output).map { max($0, low) }
    }

    /// RELU6 (TFLM's `Relu6Quantized`): the raw input clamped to [zp, zp + round(6 / scale)], no
    /// rescaling (TFLM requires equal input and output quantization).
    static func relu6(input: AffineQuantization) -> [Int8] {
        let zero = Int32(input.zeroPoint), six = zero &+ saturatingInt32((6 / input.scale).rounded(.toNearestOrAwayFromZero))
        return table { q in min(max(q, zero), six) }
    }

    /// The input rescaling LOGISTIC and TANH share: `scale · 2^27` as frexp's mantissa in Q31
    /// and exponent, and the radius past which the output saturates (`CalculateInputRadius`).
    static func sigmoidInput(_ scale: Float) -> (multiplier: Int32, shift: Int32, radius: Int32) {
        let real = Double(scale) * Double(1 << 27)  // scale is finite and positive
        let exponent = Int(real.exponent) + 1
        let mantissa = real / pow(2, Double(exponent))
        let multiplier = Int32(clamping: Int64((mantissa * 2_147_483_648).rounded(.toNearestOrAwayFromZero)))
        let radius = (15.0 * Double(1 << 27) / pow(2, Double(exponent))).rounded(.down)
        return (multiplier, Int32(clamping: exponent), Int32(min(radius, Double(Int32.max))))
    }

    /// The table of a function TFLM evaluates on the input rescaled to Q4.27 (`sigmoidInput`):
    /// −128 and 127 past the radius, `f(a)` for the rescaled `a` within it.
    static func sigmoidTable(input: AffineQuantization, _ f: (Int32) -> Int32) -> [Int8] {
        let (m, shift, radius) = sigmoidInput(input.scale)
        return table { q in
            let x = q &- Int32(input.zeroPoint)
            if x <= -radius { return -128 }
            if x >= radius { return 127 }
            return f(multiplyByQuantizedMultiplier(x, m, shift))
        }
    }

    /// LOGISTIC (TFLM's `reference_integer_ops::Logistic`; output scale 1/256, zero point −128).
    static func logistic(input: AffineQuantization) -> [Int8] {
        sigmoidTable(input: input) { a in
            let y: Int32
            if a == 0 {
                y = 1 << 30
            } else {
                let positive = oneOverOnePlusX(expOnNegativeValues(a > 0 ? 0 &- a : a, integerBits: 4))
                y = a > 0 ? positive : Int32.max &- positive
            }
            return roundingDivideByPOT(y, 23) &- 128
        }
    }

    /// TANH (TFLM's `reference_integer_ops::Tanh`; output scale 1/128, zero point 0).
    static func tanh(input: AffineQuantization) -> [Int8] {
        sigmoidTable(input: input) { a in
            if a == 0 { return 0 }
            let t = oneMinusXOverOnePlusX(expOnNegativeValues(a < 0 ? a : 0 &- a, integerBits: 5))
            return roundingDivideByPOT(a < 0 ? 0 &- t : t, 24)
        }
    }

    /// `(1 − a) / (1 + a)` for `a` in [0, 1), Q0.31 (gemmlowp's
    /// `one_minus_x_over_one_plus_x_for_x_in_0_1`): `2 / (1 + a) − 1`, rescaled from Q2.29.
    static func oneMinusXOverOnePlusX(_ a: Int32) -> Int32 {
        saturatingRoundingMultiplyByPOT(reciprocalOfHalfDenominator(a) &- (1 << 29), 2)
    }

    /// LEAKY_RELU (TFLM's `QuantizeLeakyRelu`): the identity or alpha requantization by sign.
    static func leakyRelu(input: AffineQuantization, output: AffineQuantization, alpha: Float) -> [Int8] {
        let (ma, sa) = quantizeMultiplier(Double(input.scale * alpha / output.scale))
        let (mi, si) = quantizeMultiplier(Double(input.scale / output.scale))
        return table { q in
            let x = q &- Int32(input.zeroPoint)
            return Int32(output.zeroPoint) &+ (x >= 0 ? multiplyByQuantizedMultiplier(x, mi, si) : multiplyByQuantizedMultiplier(x, ma, sa))
        }
    }

    /// HARD_SWISH (TFLM's `reference_ops::HardSwish` on int8): int16 fixed point throughout.
    static func hardSwish(input: AffineQuantization, output: AffineQuantization) -> [Int8] {
        let hiresInputScale = (1 / 128 as Float) * input.scale
        let (outputMultiplier32, outputExponent) = quantizeMultiplier(Double(hiresInputScale / output.scale))
        let (reluishMultiplier32, reluishExponent) = quantizeMultiplier(Double(hiresInputScale / (3 / 32768 as Float)))
        let outputMultiplier = downscaleToInt16(outputMultiplier32), reluishMultiplier = downscaleToInt16(reluishMultiplier32)
        return table { q in
            let hires = Int16(truncatingIfNeeded: (q &- Int32(input.zeroPoint)) &* 128)
            let preshiftOutput = doublingHighMul16(hires, outputMultiplier, rounding: true)
            var reluish = hires
            if reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, reluishExponent - 1) }
            reluish = doublingHighMul16(reluish, reluishMultiplier, rounding: true)
            if reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, 1) }
            if reluishExponent < 0 { reluish = roundingDivideByPOT16(reluish, -reluishExponent) }
            reluish = Int16(truncatingIfNeeded: (Int32(reluish) + (1 << 15)) >> 1)
            let preshift = doublingHighMul16(reluish, preshiftOutput, rounding: false)
            return Int32(roundingDivideByPOT16(preshift, -outputExponent)) &+ Int32(output.zeroPoint)
        }
    }

    /// gemmlowp's `RoundingDivideByPOT` on an int16 value, as TFLite's int8 hard-swish calls it:
    /// the mask `2^exponent − 1` is an int16 too, so from an exponent of 16 on it is −1 and the
    /// result is 1 for x ≥ 0 and −1 below (not the rounded 0 of a wider divide). Tiny input scales
    /// (a Keras MobileNetV3's late layers, 8e-9) reach exponents of 20.
    /// Example: `roundingDivideByPOT16(5, 1)` is 3; `roundingDivideByPOT16(5, 20)` is 1.
    static func roundingDivideByPOT16(_ x: Int16, _ exponent: Int32) -> Int16 {
        let mask = Int16(truncatingIfNeeded: (Int64(1) << Int64(exponent)) - 1)
        let remainder = x & mask
        let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
        return Int16(truncatingIfNeeded: Int32(x) >> Int32(exponent)) &+ (remainder > threshold ? 1 : 0)
    }

    /// `DownScaleInt32ToInt16Multiplier`: the Q31 multiplier rounded to Q15, saturating.
    static func downscaleToInt16(_ m: Int32) -> Int16 {
        m >= Int32.max - (1 << 15) ? Int16.max : Int16(truncatingIfNeeded: (m + (1 << 15)) >> 16)
    }

    /// gemmlowp's int16 `SaturatingRoundingDoublingHighMul` (`rounding`), or TFLite's
    /// `SaturatingDoublingHighMul`, which truncates toward zero.
    static func doublingHighMul16(_ a: Int16, _ b: Int16, rounding: Bool) -> Int16 {
        if a == Int16.min && b == Int16.min { return Int16.max }
        let product = Int32(a) * Int32(b)
        let nudge: Int32 = rounding ? (product >= 0 ? 1 << 14 : 1 - (1 << 14)) : 0
        return Int16(truncatingIfNeeded: (product + nudge) / (1 << 15))
    }

    static func saturatingLeftShift16(_ v: Int16, _ amount: Int32) -> Int16 {
        Int16(clamping: Int64(v) * (Int64(1) << Int64(amount)))
    }

    /// The table of `f` over every int8 input, clamped to int8.
    static func table(_ f: (Int32) -> Int32) -> [Int8] {
        (-128...127).map { Int8(clamping: f(Int32($0))) }
    }
}
