#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `dwconv2d_s8` with AArch64 NEON: the same contract and bytes. Output channels go eight at a
/// time: per tap, eight inputs (contiguous with depth multiplier 1; otherwise read lane by lane)
/// and eight weights sign-extended to int16, the input offset added, multiplied and accumulated
/// into two int32×4 registers (SMLAL/SMLAL2), then requantized four at a time (`requantize4NEON`).
public func dwconv2d_s8_neon(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                             bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                             output: UnsafeMutablePointer<Int8>) {
    let channels = p.output.channels, inChannels = p.input.channels
    let multiplier = channels / inChannels
    let offset = vdupq_n_s16(Int16(truncatingIfNeeded: 0 &- p.inputZeroPoint))
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let out = output + (oy * p.output.width + ox) * channels
            var c = 0
            while c < channels {
                let lanes = min(8, channels - c)
                var low = vdupq_n_s32(0), high = vdupq_n_s32(0)
                var tail = SIMD8<Int32>(repeating: 0)
                for ky in 0..<p.kernelH {
                    let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                    if iy < 0 || iy >= p.input.height { continue }
                    for kx in 0..<p.kernelW {
                        let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                        if ix < 0 || ix >= p.input.width { continue }
                        let pixel = input + (iy * p.input.width + ix) * inChannels
                        let w = filter + (ky * p.kernelW + kx) * channels + c
                        if lanes == 8 {
                            var x8: int8x8_t
                            if multiplier == 1 {
                                x8 = UnsafeRawPointer(pixel + c).loadUnaligned(as: int8x8_t.self)
                            } else {
                                x8 = int8x8_t()
                                for l in 0..<8 { x8[l] = pixel[(c + l) / multiplier] }
                            }
                            let xv = vaddq_s16(vmovl_s8(x8), offset), wv = widen8NEON(w)
                            low = vmlal_s16(low, vget_low_s16(xv), vget_low_s16(wv))
                            high = vmlal_high_s16(high, xv, wv)
                        } else {
                            for l in 0..<lanes { tail[l] &+= (Int32(pixel[(c + l) / multiplier]) &- p.inputZeroPoint) &* Int32(w[l]) }
                        }
                    }
                }
                var acc = SIMD8(lowHalf: low, highHalf: high) &+ tail
                if let bias { for l in 0..<lanes { acc[l] &+= bias[c + l] } }
                if lanes == 8 {
                    let y0 = requantize4NEON(acc.lowHalf, requantization, channel: c, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax)
                    let y1 = requantize4NEON(acc.highHalf, requantization, channel: c + 4, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax)
                    UnsafeMutableRawPointer(out + c).storeBytes(of: SIMD8(lowHalf: y0, highHalf: y1), as: SIMD8<Int8>.self)
                } else {
                    for l in 0..<lanes {
                        out[c + l] = clampToInt8(requantization.apply(acc[l], channel: c + l) &+ p.outputZeroPoint,
                                                 p.activationMin, p.activationMax)
                    }
                }
                c += lanes
            }
        }
    }
}
#endif
