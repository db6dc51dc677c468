/// Float to int8 at a model's input: `clamp(round(x / scale) + zeroPoint)`, rounding half away
/// from zero (TFLite's `AffineQuantize`, float32 division); NaN becomes the zero point.
public func quantize_f32_s8(input: UnsafePointer<Float>, count: Int, scale: Float, zeroPoint: Int32,
                            output: UnsafeMutablePointer<Int8>) {
    for i in 0..<count {
        let q = (input[i] / scale).rounded(.toNearestOrAwayFromZero)
        let zero = Float(Int(zeroPoint))  // via Int: Float(Int32) allocates on 32-bit Embedded targets
        let clamped = q.isNaN ? 0 : min(max(q, -128 - zero), 127 - zero)
        output[i] = Int8(Int32(clamped) + zeroPoint)
    }
}

/// Int8 to float at a model's output: `scale · (q − zeroPoint)`.
public func dequantize_s8_f32(input: UnsafePointer<Int8>, count: Int, scale: Float, zeroPoint: Int32,
                              output: UnsafeMutablePointer<Float>) {
    for i in 0..<count { output[i] = scale * Float(Int(Int32(input[i]) - zeroPoint)) }
}
