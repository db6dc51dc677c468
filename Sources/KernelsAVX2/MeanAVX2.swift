#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `mean_s8` with AVX2: the same contract and bytes. The sums over H·W go 32 channels at a time in
/// int32 lanes (the last channels one at a time); each channel's sum then takes the reference's
/// scaling (`MeanScaling`).
public func mean_s8_avx2(_ p: MeanParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let n = p.input.height * p.input.width
    let c = p.input.channels
    let scaling = MeanScaling(p)
    @inline(__always) func finish(_ sum: Int32, _ ch: Int) { output[ch] = scaling.output(sum) }
    @inline(__always) func widen8(_ q: UnsafePointer<Int8>) -> __m256i {
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(UnsafeRawPointer(q).assumingMemoryBound(to: __m128i.self)))
    }
    var ch = 0
    while ch + 32 <= c {
        var s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256(), s2 = _mm256_setzero_si256(), s3 = _mm256_setzero_si256()
        for i in 0..<n {
            let cell = input + i * c + ch
            s0 = _mm256_add_epi32(s0, widen8(cell))
            s1 = _mm256_add_epi32(s1, widen8(cell + 8))
            s2 = _mm256_add_epi32(s2, widen8(cell + 16))
            s3 = _mm256_add_epi32(s3, widen8(cell + 24))
        }
        for l in 0..<8 {
            finish(unsafeBitCast(s0, to: SIMD8<Int32>.self)[l], ch + l)
            finish(unsafeBitCast(s1, to: SIMD8<Int32>.self)[l], ch + 8 + l)
            finish(unsafeBitCast(s2, to: SIMD8<Int32>.self)[l], ch + 16 + l)
            finish(unsafeBitCast(s3, to: SIMD8<Int32>.self)[l], ch + 24 + l)
        }
        ch += 32
    }
    while ch < c {
        var sum: Int32 = 0
        for i in 0..<n { sum &+= Int32(input[i * c + ch]) }
        finish(sum, ch)
        ch += 1
    }
}
#endif
