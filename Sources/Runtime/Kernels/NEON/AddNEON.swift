#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `add_s8` with AArch64 NEON: the same contract and bytes, four values at a time: each input
/// offset and shifted left by 20, rescaled (`multiplyByQuantizedMultiplier4NEON`), the two summed
/// (wrapping) and rescaled to the output, zero point added and clamped. Blocks where a broadcast
/// second input wraps, and the last values, go through the reference.
public func add_s8_neon(_ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int,
                        count: Int, output: UnsafeMutablePointer<Int8>) {
    let m1 = vdupq_n_s32(p.input1Multiplier), s1 = vdupq_n_s32(p.input1Shift)
    let m2 = vdupq_n_s32(p.input2Multiplier), s2 = vdupq_n_s32(p.input2Shift)
    let mo = vdupq_n_s32(p.outputMultiplier), so = vdupq_n_s32(p.outputShift)
    let shift = vdupq_n_s32(AddParams.leftShift)
    @inline(__always) func widen4(_ q: UnsafePointer<Int8>, _ zeroPoint: Int32) -> int32x4_t {
        vshlq_s32(vsubq_s32(SIMD4<Int32>(truncatingIfNeeded: UnsafeRawPointer(q).loadUnaligned(as: SIMD4<Int8>.self)),
                            vdupq_n_s32(zeroPoint)), shift)
    }
    var i = 0, j = 0   // j = i % input2Count, kept without dividing
    while i < count {
        guard i + 4 <= count, j + 4 <= input2Count else {
            let n = min(count - i, input2Count - j)
            add_s8(p, input1: input1 + i, input2: input2 + j, input2Count: input2Count, count: n, output: output + i)
            i += n
            j += n
            if j == input2Count { j = 0 }
            continue
        }
        let sum = vaddq_s32(multiplyByQuantizedMultiplier4NEON(widen4(input1 + i, p.input1ZeroPoint), m1, s1),
                            multiplyByQuantizedMultiplier4NEON(widen4(input2 + j, p.input2ZeroPoint), m2, s2))
        let y = vaddq_s32(multiplyByQuantizedMultiplier4NEON(sum, mo, so), vdupq_n_s32(p.outputZeroPoint))
        let clamped = vminq_s32(vmaxq_s32(y, vdupq_n_s32(p.activationMin)), vdupq_n_s32(p.activationMax))
        UnsafeMutableRawPointer(output + i).storeBytes(of: SIMD4<Int8>(truncatingIfNeeded: clamped), as: SIMD4<Int8>.self)
        i += 4
        j += 4
        if j == input2Count { j = 0 }
    }
}
#endif
