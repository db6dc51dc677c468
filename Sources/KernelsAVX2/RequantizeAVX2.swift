#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// Eight accumulators requantized at once, exactly as `ChannelRequantization.apply` (TFLite's
/// `MultiplyByQuantizedMultiplier`) followed by the output zero point and the clamp, for channels
/// `c ..< c + 8`; returns the eight int8 results.
///
/// The doubling high multiply needs 64-bit products: vpmuldq multiplies the even lanes, and the odd
/// lanes after a 32-bit shift. The nudge (2^30, or 1 − 2^30 for negative products) is added in 64
/// bits, then the division by 2^31 truncating toward zero: negative sums get 2^31 − 1 added first,
/// and a logical 64-bit shift by 31 leaves the right low 32 bits (they agree with the arithmetic
/// shift's). The one overflow case (both operands Int32.min) is blended to Int32.max. The rounding
/// right shift is gemmlowp's: remainder against half the divisor, plus one for negative values.
/// Example: acc 1000, multiplier 2^30, shift −1 → 250 (as the scalar worked example).
@inline(__always)
func requantize8AVX2(_ acc: __m256i, _ q: ChannelRequantization, channel c: Int, outputZeroPoint: Int32,
                     min lo: Int32, max hi: Int32) -> SIMD8<Int8> {
    let shift = _mm256_loadu_si256(UnsafeRawPointer(q.shifts + c).assumingMemoryBound(to: __m256i.self))
    let multiplier = _mm256_loadu_si256(UnsafeRawPointer(q.multipliers + c).assumingMemoryBound(to: __m256i.self))
    let rounded = multiplyByQuantizedMultiplier8AVX2(acc, multiplier, shift)
    let clamped = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(rounded, _mm256_set1_epi32(outputZeroPoint)),
                                                    _mm256_set1_epi32(lo)), _mm256_set1_epi32(hi))
    return SIMD8<Int8>(truncatingIfNeeded: unsafeBitCast(clamped, to: SIMD8<Int32>.self))
}

/// Eight int32 sums of output channels `o ..< o + rows` (rows ≤ 8) of one pixel: the bias added,
/// requantized, offset, clamped and stored at `out + o` (the vector path for a full block).
/// Shared by the packed GEMM kernels of every x86-64 set (a call from other modules: inlining it
/// there would put AVX2 code into modules compiled without AVX2).
public func storeRequantized8AVX2(_ acc: __m256i, bias: UnsafePointer<Int32>?, _ q: ChannelRequantization, channel o: Int,
                                  rows: Int, p: Conv2DParams, to out: UnsafeMutablePointer<Int8>) {
    var sums = acc
    if let bias {
        if rows == 8 {
            sums = _mm256_add_epi32(sums, _mm256_loadu_si256(UnsafeRawPointer(bias + o).assumingMemoryBound(to: __m256i.self)))
        } else {
            var s = unsafeBitCast(sums, to: SIMD8<Int32>.self)
            for r in 0..<rows { s[r] &+= bias[o + r] }
            sums = unsafeBitCast(s, to: __m256i.self)
        }
    }
    if rows == 8 {
        let y = requantize8AVX2(sums, q, channel: o, outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax)
        UnsafeMutableRawPointer(out + o).storeBytes(of: y, as: SIMD8<Int8>.self)
    } else {
        let s = unsafeBitCast(sums, to: SIMD8<Int32>.self)
        for r in 0..<rows {
            out[o + r] = clampToInt8(q.apply(s[r], channel: o + r) + p.outputZeroPoint, p.activationMin, p.activationMax)
        }
    }
}

/// `multiplyByQuantizedMultiplier` on eight lanes, bit for bit (shifts in −31...31 − leading bits).
@inline(__always)
func multiplyByQuantizedMultiplier8AVX2(_ acc: __m256i, _ multiplier: __m256i, _ shift: __m256i) -> __m256i {
    let zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1)
    let left = _mm256_max_epi32(shift, zero), right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero)
    let x = _mm256_sllv_epi32(acc, left)

    // Saturating rounding doubling high multiply.
    func highMul(_ a: __m256i, _ b: __m256i) -> __m256i {
        let product = _mm256_mul_epi32(a, b)
        let negative = _mm256_cmpgt_epi64(zero, product)
        let nudged = _mm256_add_epi64(product, _mm256_add_epi64(_mm256_set1_epi64x(1 << 30),
                                                                _mm256_and_si256(negative, _mm256_set1_epi64x(1 - (1 << 31)))))
        let toZero = _mm256_and_si256(_mm256_cmpgt_epi64(zero, nudged), _mm256_set1_epi64x((1 << 31) - 1))
        return _mm256_srli_epi64(_mm256_add_epi64(nudged, toZero), 31)
    }
    let even = highMul(x, multiplier)
    let odd = highMul(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(multiplier, 32))
    var high = _mm256_or_si256(_mm256_and_si256(even, _mm256_set1_epi64x(0xFFFF_FFFF)), _mm256_slli_epi64(odd, 32))
    let minimum = _mm256_set1_epi32(Int32.min)
    let overflow = _mm256_and_si256(_mm256_cmpeq_epi32(x, minimum), _mm256_cmpeq_epi32(multiplier, minimum))
    high = _mm256_blendv_epi8(high, _mm256_set1_epi32(Int32.max), overflow)

    // Rounding divide by 2^right.
    let mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one)
    let remainder = _mm256_and_si256(high, mask)
    let threshold = _mm256_add_epi32(_mm256_srai_epi32(mask, 1), _mm256_and_si256(_mm256_cmpgt_epi32(zero, high), one))
    return _mm256_sub_epi32(_mm256_srav_epi32(high, right), _mm256_cmpgt_epi32(remainder, threshold))
}
#endif
