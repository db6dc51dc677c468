#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

// Shared inner loop of the AVX2 kernels. This module is compiled with -mavx2: nothing in it may
// run before `KernelSet.best` (module Kernels) has seen AVX2 in CPUID.
//
// Exactness: 16 int8 inputs are sign-extended to int16 (vpmovsxbw) and offset by −zeroPoint,
// giving values in [−255, 255]; weights are sign-extended too, so vpmaddwd's two products and
// their sum (at most 2 · 255 · 127 = 64,770 in magnitude) are exact in int32, and vpaddd wraps as
// the reference's `&+=`. No vpmaddubsw: its saturating int16 sums would clip.

@inline(__always)
func widen16(_ p: UnsafePointer<Int8>) -> __m256i {
    _mm256_cvtepi8_epi16(_mm_loadu_si128(UnsafeRawPointer(p).assumingMemoryBound(to: __m128i.self)))
}

/// The four int32 lanes-sums of four accumulators: [Σa, Σb, Σc, Σd].
@inline(__always)
func sum4(_ a: __m256i, _ b: __m256i, _ c: __m256i, _ d: __m256i) -> SIMD4<Int32> {
    let s = unsafeBitCast(_mm256_hadd_epi32(_mm256_hadd_epi32(a, b), _mm256_hadd_epi32(c, d)), to: SIMD8<Int32>.self)
    return s.lowHalf &+ s.highHalf
}

/// `Σ_{i<n} (x[i] − zeroPoint) · w_r[i]` for four weight rows `w_r` reading the same inputs.
@inline(__always)
func dot4RowsAVX2(_ x: UnsafePointer<Int8>, _ w0: UnsafePointer<Int8>, _ w1: UnsafePointer<Int8>, _ w2: UnsafePointer<Int8>,
                  _ w3: UnsafePointer<Int8>, count n: Int, zeroPoint: Int32) -> SIMD4<Int32> {
    let offset = _mm256_set1_epi16(Int16(truncatingIfNeeded: 0 &- zeroPoint))
    var a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256(), a2 = _mm256_setzero_si256(), a3 = _mm256_setzero_si256()
    var i = 0
    while i + 16 <= n {
        let xv = _mm256_add_epi16(widen16(x + i), offset)
        a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(xv, widen16(w0 + i)))
        a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(xv, widen16(w1 + i)))
        a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(xv, widen16(w2 + i)))
        a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(xv, widen16(w3 + i)))
        i += 16
    }
    var sums = sum4(a0, a1, a2, a3)
    while i < n {
        let xi = Int32(x[i]) &- zeroPoint
        sums &+= SIMD4(xi &* Int32(w0[i]), xi &* Int32(w1[i]), xi &* Int32(w2[i]), xi &* Int32(w3[i]))
        i += 1
    }
    return sums
}
#endif
