#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `mul_s8` with AArch64 NEON: the same contract and bytes, sixteen values at a time. Each input
/// less its zero point widens to int16 (SSUBL; zero points are int8), the products widen to int32
/// exactly (SMULL: at most 255² in magnitude), are requantized by the output multiplier and shift
/// (`multiplyByQuantizedMultiplier4NEON`: gemmlowp's two roundings, any shift), the output zero
/// point added, narrowed with saturation (SQXTN) and clamped. A broadcast second input (a
/// squeeze-excitation gate `[H, W, C] × [C]`) is read contiguously where sixteen values fit before
/// it repeats, one value is splat; the rest goes through the reference.
/// Example: zero points 0, multiplier 2^30 and shift 1 (a scale ratio of 1): 3 · −4 = −12.
public func mul_s8_neon(_ p: MulParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int,
                        count: Int, output: UnsafeMutablePointer<Int8>) {
    let zp1 = vdup_n_s8(Int8(truncatingIfNeeded: p.input1ZeroPoint)), zp2 = vdup_n_s8(Int8(truncatingIfNeeded: p.input2ZeroPoint))
    let m = vdupq_n_s32(p.outputMultiplier), s = vdupq_n_s32(p.outputShift), zpo = vdupq_n_s32(p.outputZeroPoint)
    let low = vdupq_n_s8(Int8(truncatingIfNeeded: p.activationMin)), high = vdupq_n_s8(Int8(truncatingIfNeeded: p.activationMax))
    /// Eight products (int16 × int16) requantized, offset and narrowed to int16 with saturation.
    @inline(__always) func eight(_ a: int16x8_t, _ b: int16x8_t) -> int16x8_t {
        let y0 = vaddq_s32(multiplyByQuantizedMultiplier4NEON(vmull_s16(vget_low_s16(a), vget_low_s16(b)), m, s), zpo)
        let y1 = vaddq_s32(multiplyByQuantizedMultiplier4NEON(vmull_s16(vget_high_s16(a), vget_high_s16(b)), m, s), zpo)
        return vqmovn_high_s32(vqmovn_s32(y0), y1)
    }
    @inline(__always) func sixteen(_ a: int8x16_t, _ b: int8x16_t, to out: UnsafeMutablePointer<Int8>) {
        let lo = eight(vsubl_s8(vget_low_s8(a), zp1), vsubl_s8(vget_low_s8(b), zp2))
        let hi = eight(vsubl_s8(vget_high_s8(a), zp1), vsubl_s8(vget_high_s8(b), zp2))
        UnsafeMutableRawPointer(out).storeBytes(of: vminq_s8(vmaxq_s8(vqmovn_high_s16(vqmovn_s16(lo), hi), low), high), as: int8x16_t.self)
    }
    if input2Count == 1 {
        var i = 0
        let b = vdupq_n_s8(input2[0])
        while i + 16 <= count {
            sixteen(UnsafeRawPointer(input1 + i).loadUnaligned(as: int8x16_t.self), b, to: output + i)
            i += 16
        }
        if i < count { mul_s8(p, input1: input1 + i, input2: input2, input2Count: 1, count: count - i, output: output + i) }
        return
    }
    forEachBinaryBlock(count: count, input2Count: input2Count, width: 16) { i, j in
        sixteen(UnsafeRawPointer(input1 + i).loadUnaligned(as: int8x16_t.self), UnsafeRawPointer(input2 + j).loadUnaligned(as: int8x16_t.self),
                to: output + i)
    } rest: { i, j, n in  // where the broadcast input wraps, and the last values: the reference
        mul_s8(p, input1: input1 + i, input2: input2 + j, input2Count: input2Count, count: n, output: output + i)
    }
}
#endif
