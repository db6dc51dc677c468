#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `max_pool2d_s8` with AArch64 NEON: the same contract and bytes; sixteen channels at a time
/// (SMAX over the window's cells inside the image, then the clamp), the rest one at a time.
public func max_pool2d_s8_neon(_ p: Pool2DParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let c = p.input.channels
    let lo = vdupq_n_s8(Int8(truncatingIfNeeded: p.activationMin)), hi = vdupq_n_s8(Int8(truncatingIfNeeded: p.activationMax))
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let w = p.window(oy, ox)
            let out = output + (oy * p.output.width + ox) * c
            var ch = 0
            while ch + 16 <= c {
                var best = vdupq_n_s8(-128)
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 {
                        best = vmaxq_s8(best, UnsafeRawPointer(input + (y * p.input.width + x) * c + ch).loadUnaligned(as: int8x16_t.self))
                    }
                }
                UnsafeMutableRawPointer(out + ch).storeBytes(of: vminq_s8(vmaxq_s8(best, lo), hi), as: int8x16_t.self)
                ch += 16
            }
            while ch < c {
                var best: Int32 = -128
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 { best = max(best, Int32(input[(y * p.input.width + x) * c + ch])) }
                }
                out[ch] = clampToInt8(best, p.activationMin, p.activationMax)
                ch += 1
            }
        }
    }
}
#endif

#if arch(arm64)
/// `avg_pool2d_s8` with AArch64 NEON: the same contract and bytes; sixteen channels at a time, the
/// window's cells inside the image summed in int32 lanes (SADDW), then TFLite's rounding division
/// per channel; the rest one at a time.
public func avg_pool2d_s8_neon(_ p: Pool2DParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let c = p.input.channels
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let w = p.window(oy, ox)
            let n = Int32((w.y1 - w.y0) * (w.x1 - w.x0))
            let out = output + (oy * p.output.width + ox) * c
            var ch = 0
            while ch + 16 <= c {
                var sums = Sums16NEON()
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 { sums.add(input + (y * p.input.width + x) * c + ch) }
                }
                let s = sums.lanes
                for k in 0..<16 { out[ch + k] = roundedAverage(s[k], count: n, p.activationMin, p.activationMax) }
                ch += 16
            }
            while ch < c {
                var sum: Int32 = 0
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 { sum &+= Int32(input[(y * p.input.width + x) * c + ch]) }
                }
                out[ch] = roundedAverage(sum, count: n, p.activationMin, p.activationMax)
                ch += 1
            }
        }
    }
}

/// Sixteen int32 running sums of int8 values, one per channel.
struct Sums16NEON {
    var s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0), s2 = vdupq_n_s32(0), s3 = vdupq_n_s32(0)

    /// Adds the sixteen values at `x`.
    @inline(__always)
    mutating func add(_ x: UnsafePointer<Int8>) {
        let v = UnsafeRawPointer(x).loadUnaligned(as: int8x16_t.self)
        let low = vmovl_s8(vget_low_s8(v)), high = vmovl_high_s8(v)
        s0 = vaddw_s16(s0, vget_low_s16(low))
        s1 = vaddw_high_s16(s1, low)
        s2 = vaddw_s16(s2, vget_low_s16(high))
        s3 = vaddw_high_s16(s3, high)
    }

    var lanes: SIMD16<Int32> {
        SIMD16(lowHalf: SIMD8(lowHalf: s0, highHalf: s1), highHalf: SIMD8(lowHalf: s2, highHalf: s3))
    }
}
#endif
