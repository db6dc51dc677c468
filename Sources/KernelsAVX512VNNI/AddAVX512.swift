#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `add_s8` with AVX-512: the same contract and bytes, sixteen values at a time. Each input is
/// offset, shifted left by 20 and rescaled (`Requantize16AVX512.scaled`), the two summed with a
/// wrapping add, rescaled to the output, offset by its zero point and clamped. The last values, and
/// the values before a broadcast second input (`input2Count < count`) repeats, go through masked
/// loads and stores. Example: MobileNetV2's residual adds over 56×56×24 values.
public func add_s8_avx512(_ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int,
                          count: Int, output: UnsafeMutablePointer<Int8>) {
    let zero1 = _mm512_set1_epi32(p.input1ZeroPoint), zero2 = _mm512_set1_epi32(p.input2ZeroPoint)
    /// Lane-wise `multiplyByQuantizedMultiplier(·, multiplier, shift)`, then the zero point and clamp.
    func rescale(_ multiplier: Int32, _ shift: Int32, zeroPoint: Int32 = 0, min: Int32 = 0, max: Int32 = 0) -> Requantize16AVX512 {
        Requantize16AVX512(multiplier: _mm512_set1_epi32(multiplier), shift: _mm512_set1_epi32(shift),
                           outputZeroPoint: zeroPoint, min: min, max: max)
    }
    let rescale1 = rescale(p.input1Multiplier, p.input1Shift), rescale2 = rescale(p.input2Multiplier, p.input2Shift)
    let rescaleOut = rescale(p.outputMultiplier, p.outputShift, zeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax)
    var i = 0, j = 0   // j = i % input2Count, kept without dividing
    while i < count {
        let n = min(16, count &- i, input2Count &- j)
        let mask: UInt16 = n == 16 ? ~0 : (1 << UInt16(n)) &- 1
        @inline(__always) func offset(_ q: UnsafePointer<Int8>, _ zeroPoint: __m512i) -> __m512i {
            _mm512_slli_epi32(_mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mask, q)), zeroPoint), UInt32(AddParams.leftShift))
        }
        let sum = _mm512_add_epi32(rescale1.scaled(offset(input1 + i, zero1)), rescale2.scaled(offset(input2 + j, zero2)))
        _mm_mask_storeu_epi8(output + i, mask, rescaleOut(sum))
        i &+= n
        j &+= n
        if j == input2Count { j = 0 }
    }
}
#endif
