#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `mul_s8` with AVX2: the same contract and bytes, eight values at a time. Both inputs are
/// widened to int32 and offset by their zero points; the product (at most 255² in magnitude, so
/// vpmulld is exact) is requantized by the output multiplier and shift in every lane
/// (`Requantize8AVX2`: gemmlowp's two roundings), the output zero point added and clamped. A
/// broadcast second input (`input2Count < count`: a squeeze-excitation gate `[H, W, C] × [C]`)
/// is read contiguously where eight values fit before it repeats; one value is splat to all lanes.
/// Example: zero points 0, multiplier 2^30 and shift 1 (a scale ratio of 1): 3 · −4 = −12.
public func mul_s8_avx2(_ p: MulParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int,
                        count: Int, output: UnsafeMutablePointer<Int8>) {
    let zero1 = _mm256_set1_epi32(p.input1ZeroPoint), zero2 = _mm256_set1_epi32(p.input2ZeroPoint)
    let requantize = Requantize8AVX2(multiplier: _mm256_set1_epi32(p.outputMultiplier), shift: _mm256_set1_epi32(p.outputShift),
                                     bias: _mm256_setzero_si256(), outputZeroPoint: p.outputZeroPoint, min: p.activationMin,
                                     max: p.activationMax)
    @inline(__always) func widen8(_ q: UnsafePointer<Int8>) -> __m256i {
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(UnsafeRawPointer(q).assumingMemoryBound(to: __m128i.self)))
    }
    if input2Count == 1 {
        let x2 = _mm256_sub_epi32(_mm256_set1_epi32(Int32(input2[0])), zero2)
        var i = 0
        while i + 8 <= count {
            requantize.store(_mm256_mullo_epi32(_mm256_sub_epi32(widen8(input1 + i), zero1), x2), to: output + i)
            i += 8
        }
        if i < count { mul_s8(p, input1: input1 + i, input2: input2, input2Count: 1, count: count - i, output: output + i) }
        return
    }
    forEachBinaryBlock(count: count, input2Count: input2Count, width: 8) { i, j in
        let product = _mm256_mullo_epi32(_mm256_sub_epi32(widen8(input1 + i), zero1), _mm256_sub_epi32(widen8(input2 + j), zero2))
        requantize.store(product, to: output + i)
    } rest: { i, j, n in  // where the broadcast input wraps, and the last values: the reference
        mul_s8(p, input1: input1 + i, input2: input2 + j, input2Count: input2Count, count: n, output: output + i)
    }
}
#endif
