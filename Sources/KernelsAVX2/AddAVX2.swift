#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `add_s8` with AVX2: the same contract and bytes, eight values at a time. Each input is offset,
/// shifted left by 20 and rescaled (`Requantize8AVX2.scaled`), the two summed with a
/// wrapping add and rescaled to the output, zero point added and clamped. A broadcast second input
/// (`input2Count < count`) is read contiguously where eight values fit before it repeats.
public func add_s8_avx2(_ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int,
                        count: Int, output: UnsafeMutablePointer<Int8>) {
    let zero1 = _mm256_set1_epi32(p.input1ZeroPoint), zero2 = _mm256_set1_epi32(p.input2ZeroPoint)
    /// Lane-wise `multiplyByQuantizedMultiplier(·, multiplier, shift)`.
    func rescale(_ multiplier: Int32, _ shift: Int32) -> Requantize8AVX2 {
        Requantize8AVX2(multiplier: _mm256_set1_epi32(multiplier), shift: _mm256_set1_epi32(shift), bias: _mm256_setzero_si256(),
                        outputZeroPoint: 0, min: 0, max: 0)
    }
    let rescale1 = rescale(p.input1Multiplier, p.input1Shift), rescale2 = rescale(p.input2Multiplier, p.input2Shift)
    let rescaleOut = rescale(p.outputMultiplier, p.outputShift)
    let shift = _mm256_set1_epi32(AddParams.leftShift)
    @inline(__always) func widen8(_ q: UnsafePointer<Int8>) -> __m256i {
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(UnsafeRawPointer(q).assumingMemoryBound(to: __m128i.self)))
    }
    forEachBinaryBlock(count: count, input2Count: input2Count, width: 8) { i, j in
        let x1 = _mm256_sllv_epi32(_mm256_sub_epi32(widen8(input1 + i), zero1), shift)
        let x2 = _mm256_sllv_epi32(_mm256_sub_epi32(widen8(input2 + j), zero2), shift)
        let sum = _mm256_add_epi32(rescale1.scaled(x1), rescale2.scaled(x2))
        let y = _mm256_add_epi32(rescaleOut.scaled(sum), _mm256_set1_epi32(p.outputZeroPoint))
        let clamped = _mm256_min_epi32(_mm256_max_epi32(y, _mm256_set1_epi32(p.activationMin)), _mm256_set1_epi32(p.activationMax))
        UnsafeMutableRawPointer(output + i).storeBytes(of: SIMD8<Int8>(truncatingIfNeeded: unsafeBitCast(clamped, to: SIMD8<Int32>.self)),
                                                       as: SIMD8<Int8>.self)
    } rest: { i, j, n in  // where the broadcast input wraps, and the last values: the reference
        add_s8(p, input1: input1 + i, input2: input2 + j, input2Count: input2Count, count: n, output: output + i)
    }
}
#endif
