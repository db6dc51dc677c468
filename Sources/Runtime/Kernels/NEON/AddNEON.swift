#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `add_s8` with AArch64 NEON: the same contract and bytes. Sixteen values at a time where the
/// zero points are int8 and every shift is right or none (TFLite's own parameters always are):
/// each input less its zero point (SSUBL), shifted left by 20 as it widens, rescaled (SQRDMULH,
/// then SSRA and SRSHL: `Requantize8NEON`'s rounding), the two summed (wrapping), rescaled to the
/// output, zero point added, narrowed with saturation and clamped. Otherwise four values at a time
/// with the general `multiplyByQuantizedMultiplier4NEON`; blocks where a broadcast second input
/// wraps, and the last values, go through the reference.
public func add_s8_neon(_ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int,
                        count: Int, output: UnsafeMutablePointer<Int8>) {
    let int8ZeroPoints = (-128...127).contains(p.input1ZeroPoint) && (-128...127).contains(p.input2ZeroPoint)
    var i = 0, j = 0   // j = i % input2Count, kept without dividing
    if int8ZeroPoints && p.input1Shift <= 0 && p.input2Shift <= 0 && p.outputShift <= 0 {
        let zp1 = vdup_n_s8(Int8(truncatingIfNeeded: p.input1ZeroPoint)), zp2 = vdup_n_s8(Int8(truncatingIfNeeded: p.input2ZeroPoint))
        let m1 = vdupq_n_s32(p.input1Multiplier), s1 = vdupq_n_s32(p.input1Shift)
        let m2 = vdupq_n_s32(p.input2Multiplier), s2 = vdupq_n_s32(p.input2Shift)
        let mo = vdupq_n_s32(p.outputMultiplier), so = vdupq_n_s32(p.outputShift), zpo = vdupq_n_s32(p.outputZeroPoint)
        let shifts1 = p.input1Shift < 0, shifts2 = p.input2Shift < 0, shiftsOut = p.outputShift < 0
        let low = vdupq_n_s8(Int8(truncatingIfNeeded: p.activationMin)), high = vdupq_n_s8(Int8(truncatingIfNeeded: p.activationMax))
        /// `multiplyByQuantizedMultiplier` for a shift of 0 or less (`shifts`: less).
        @inline(__always) func rescale(_ x: int32x4_t, _ m: int32x4_t, _ s: int32x4_t, _ shifts: Bool) -> int32x4_t {
            let y = vqrdmulhq_s32(x, m)
            return shifts ? vrshlq_s32(y &+ (y &>> 31), s) : y
        }
        /// Four values (int16, less the zero point) shifted left by 20 and rescaled.
        @inline(__always) func scaled(_ x: int16x4_t, _ m: int32x4_t, _ s: int32x4_t, _ shifts: Bool) -> int32x4_t {
            rescale(SIMD4<Int32>(truncatingIfNeeded: x) &<< AddParams.leftShift, m, s, shifts)
        }
        @inline(__always) func sum4(_ a: int16x4_t, _ b: int16x4_t) -> int32x4_t {
            vaddq_s32(rescale(vaddq_s32(scaled(a, m1, s1, shifts1), scaled(b, m2, s2, shifts2)), mo, so, shiftsOut), zpo)
        }
        while i + 16 <= count && j + 16 <= input2Count {
            let a = UnsafeRawPointer(input1 + i).loadUnaligned(as: int8x16_t.self)
            let b = UnsafeRawPointer(input2 + j).loadUnaligned(as: int8x16_t.self)
            let a0 = vsubl_s8(vget_low_s8(a), zp1), a1 = vsubl_s8(vget_high_s8(a), zp1)
            let b0 = vsubl_s8(vget_low_s8(b), zp2), b1 = vsubl_s8(vget_high_s8(b), zp2)
            let y0 = vqmovn_high_s32(vqmovn_s32(sum4(vget_low_s16(a0), vget_low_s16(b0))), sum4(vget_high_s16(a0), vget_high_s16(b0)))
            let y1 = vqmovn_high_s32(vqmovn_s32(sum4(vget_low_s16(a1), vget_low_s16(b1))), sum4(vget_high_s16(a1), vget_high_s16(b1)))
            let y = vminq_s8(vmaxq_s8(vqmovn_high_s16(vqmovn_s16(y0), y1), low), high)
            UnsafeMutableRawPointer(output + i).storeBytes(of: y, as: int8x16_t.self)
            i += 16
            j += 16
            if j == input2Count { j = 0 }
        }
    }
    let m1 = vdupq_n_s32(p.input1Multiplier), s1 = vdupq_n_s32(p.input1Shift)
    let m2 = vdupq_n_s32(p.input2Multiplier), s2 = vdupq_n_s32(p.input2Shift)
    let mo = vdupq_n_s32(p.outputMultiplier), so = vdupq_n_s32(p.outputShift)
    let shift = vdupq_n_s32(AddParams.leftShift)
    @inline(__always) func widen4(_ q: UnsafePointer<Int8>, _ zeroPoint: Int32) -> int32x4_t {
        vshlq_s32(vsubq_s32(SIMD4<Int32>(truncatingIfNeeded: UnsafeRawPointer(q).loadUnaligned(as: SIMD4<Int8>.self)),
                            vdupq_n_s32(zeroPoint)), shift)
    }
    forEachBinaryBlock(count: count, input2Count: input2Count, width: 4, i: i, j: j) { i, j in
        let sum = vaddq_s32(multiplyByQuantizedMultiplier4NEON(widen4(input1 + i, p.input1ZeroPoint), m1, s1),
                            multiplyByQuantizedMultiplier4NEON(widen4(input2 + j, p.input2ZeroPoint), m2, s2))
        let y = vaddq_s32(multiplyByQuantizedMultiplier4NEON(sum, mo, so), vdupq_n_s32(p.outputZeroPoint))
        let clamped = vminq_s32(vmaxq_s32(y, vdupq_n_s32(p.activationMin)), vdupq_n_s32(p.activationMax))
        UnsafeMutableRawPointer(output + i).storeBytes(of: SIMD4<Int8>(truncatingIfNeeded: clamped), as: SIMD4<Int8>.self)
    } rest: { i, j, n in  // where the broadcast input wraps, and the last values: the reference
        add_s8(p, input1: input1 + i, input2: input2 + j, input2Count: input2Count, count: n, output: output + i)
    }
}
#endif
