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

/// Running sums of four weight rows against inputs: eight int32 lanes per row in registers, plus
/// the scalar tails. Only `total` reduces the lanes, once per output block, not once per tap.
struct RowSums4 {
    var r0 = _mm256_setzero_si256(), r1 = _mm256_setzero_si256(), r2 = _mm256_setzero_si256(), r3 = _mm256_setzero_si256()
    var tail = SIMD4<Int32>(repeating: 0)

    /// The four sums: `Σ (x[i] − zeroPoint) · w_r[i]` over everything added.
    @inline(__always)
    var total: SIMD4<Int32> { sum4(r0, r1, r2, r3) &+ tail }

    /// Adds `Σ_{i<n} (x[i] − zeroPoint) · w_r[i]` for four weight rows `w_r` reading the same inputs;
    /// `offset` is −zeroPoint in every int16 lane.
    @inline(__always)
    mutating func add(_ x: UnsafePointer<Int8>, _ w0: UnsafePointer<Int8>, _ w1: UnsafePointer<Int8>, _ w2: UnsafePointer<Int8>,
                      _ w3: UnsafePointer<Int8>, count n: Int, offset: __m256i, zeroPoint: Int32) {
        var i = 0
        while i + 16 <= n {
            let xv = _mm256_add_epi16(widen16(x + i), offset)
            r0 = _mm256_add_epi32(r0, _mm256_madd_epi16(xv, widen16(w0 + i)))
            r1 = _mm256_add_epi32(r1, _mm256_madd_epi16(xv, widen16(w1 + i)))
            r2 = _mm256_add_epi32(r2, _mm256_madd_epi16(xv, widen16(w2 + i)))
            r3 = _mm256_add_epi32(r3, _mm256_madd_epi16(xv, widen16(w3 + i)))
            i += 16
        }
        while i < n {
            tail &+= (Int32(x[i]) &- zeroPoint) &* SIMD4(Int32(w0[i]), Int32(w1[i]), Int32(w2[i]), Int32(w3[i]))
            i += 1
        }
    }

    /// `add` for two input runs (two output pixels) into `self` and `other`: each widened weight
    /// vector serves both.
    @inline(__always)
    mutating func add(_ x: UnsafePointer<Int8>, and y: UnsafePointer<Int8>, into other: inout RowSums4,
                      _ w0: UnsafePointer<Int8>, _ w1: UnsafePointer<Int8>, _ w2: UnsafePointer<Int8>, _ w3: UnsafePointer<Int8>,
                      count n: Int, offset: __m256i, zeroPoint: Int32) {
        var i = 0
        while i + 16 <= n {
            let xv = _mm256_add_epi16(widen16(x + i), offset), yv = _mm256_add_epi16(widen16(y + i), offset)
            var wv = widen16(w0 + i)
            r0 = _mm256_add_epi32(r0, _mm256_madd_epi16(xv, wv))
            other.r0 = _mm256_add_epi32(other.r0, _mm256_madd_epi16(yv, wv))
            wv = widen16(w1 + i)
            r1 = _mm256_add_epi32(r1, _mm256_madd_epi16(xv, wv))
            other.r1 = _mm256_add_epi32(other.r1, _mm256_madd_epi16(yv, wv))
            wv = widen16(w2 + i)
            r2 = _mm256_add_epi32(r2, _mm256_madd_epi16(xv, wv))
            other.r2 = _mm256_add_epi32(other.r2, _mm256_madd_epi16(yv, wv))
            wv = widen16(w3 + i)
            r3 = _mm256_add_epi32(r3, _mm256_madd_epi16(xv, wv))
            other.r3 = _mm256_add_epi32(other.r3, _mm256_madd_epi16(yv, wv))
            i += 16
        }
        while i < n {
            let w = SIMD4(Int32(w0[i]), Int32(w1[i]), Int32(w2[i]), Int32(w3[i]))
            tail &+= (Int32(x[i]) &- zeroPoint) &* w
            other.tail &+= (Int32(y[i]) &- zeroPoint) &* w
            i += 1
        }
    }
}

/// −zeroPoint in every int16 lane, the input offset of `RowSums4.add`.
@inline(__always)
func inputOffsetAVX2(_ zeroPoint: Int32) -> __m256i {
    _mm256_set1_epi16(Int16(truncatingIfNeeded: 0 &- zeroPoint))
}
#endif
