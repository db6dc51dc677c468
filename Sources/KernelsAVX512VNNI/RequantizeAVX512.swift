#if arch(x86_64)
import _Builtin_intrinsics.intel
import KernelsAVX2
import Runtime

/// The requantization of sixteen int32 lanes with AVX-512, prepared once per block of channels:
/// exactly `multiplyByQuantizedMultiplier(acc, multiplier, shift)` (TFLite's double-rounding
/// form; the bias is already in the sums), then the output zero point and the clamp. Lanes may hold channels in
/// any order; the caller loads the parameters in that order. Example: acc 1000, multiplier 2^30,
/// shift −1 → 250.
///
/// The two roundings become one 64-bit add and one arithmetic shift. With the product
/// `p = x·m`, the doubling high multiply is `h = ⌊(p + 2^30) / 2^31⌋`, and the rounding divide by
/// `2^r` (r ≥ 1) is `⌊(h + c) / 2^r⌋` with `c = 2^(r−1)` for h ≥ 0 and `2^(r−1) − 1` for h < 0
/// (ties away from zero). As `⌊(⌊a/b⌋ + c)/d⌋ = ⌊(a + c·b)/(b·d)⌋` for integers, the result is
/// `(p + 2^30 + c·2^31) >> (31 + r)`. The sign test may look at p instead of h: they differ only
/// for p in [−2^30, 0), where h = 0 and both choices of c give 0. With r = 0 the result is
/// `(p + 2^30) >> 31`. The one overflow case (x = m = Int32.min, p = 2^62, where gemmlowp
/// saturates h to Int32.max) is the one product above `(2^31 − 1)·2^31`, and clamping p to that
/// gives h = Int32.max. Even lanes multiply with vpmuldq directly, odd lanes after a 32-bit shift;
/// vpermt2d puts the two halves' low words back in lane order (`_mm512_set_epi32` lists lanes from the last).
struct Requantize16AVX512 {
    let left, multiplier, multiplierOdd: __m512i
    let roundEven, roundOdd, negativeEven, negativeOdd, shiftEven, shiftOdd: __m512i
    let zeroPoint, lo, hi: __m512i
    /// Whether a lane shifts left (else the left shift is skipped), whether a lane's multiplier is
    /// Int32.min (never in a validated model; else the overflow clamp is skipped), and whether the
    /// clamp is int8's whole range (then the narrowing's saturation is the clamp).
    let shiftsLeft, mayOverflow, wholeRange: Bool

    /// Lane-wise multipliers and shifts (−31...31); callers add the bias to the sums beforehand.
    @inline(__always)
    init(multiplier: __m512i, shift: __m512i, outputZeroPoint: Int32, min lo: Int32, max hi: Int32) {
        let zero = _mm512_setzero_si512(), one = _mm512_set1_epi64(1)
        self.multiplier = multiplier
        multiplierOdd = _mm512_srli_epi64(multiplier, 32)
        left = _mm512_max_epi32(shift, zero)
        shiftsLeft = _mm512_movepi32_mask(_mm512_sub_epi32(zero, shift)) != 0  // a sign bit of −shift
        mayOverflow = _mm512_movepi32_mask(multiplier) != 0  // any negative multiplier, to be safe
        wholeRange = lo <= -128 && hi >= 127
        let right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero)
        let lowWords = _mm512_set1_epi64(0xFFFF_FFFF)
        let rightEven = _mm512_and_si512(right, lowWords), rightOdd = _mm512_srli_epi64(right, 32)
        /// 2^30 + c·2^31 for the non-negative case, c·2^31's decrease for the negative one, and 31 + r.
        @inline(__always) func prepared(_ r: __m512i) -> (round: __m512i, negative: __m512i, shift: __m512i) {
            let shifting = _mm512_min_epi64(r, one)  // 1 when r ≥ 1
            let round = _mm512_add_epi64(_mm512_set1_epi64(1 << 30),
                                         _mm512_sllv_epi64(shifting, _mm512_add_epi64(r, _mm512_set1_epi64(30))))
            return (round, _mm512_slli_epi64(shifting, 31), _mm512_add_epi64(r, _mm512_set1_epi64(31)))
        }
        (roundEven, negativeEven, shiftEven) = prepared(rightEven)
        (roundOdd, negativeOdd, shiftOdd) = prepared(rightOdd)
        zeroPoint = _mm512_set1_epi32(outputZeroPoint)
        self.lo = _mm512_set1_epi32(lo)
        self.hi = _mm512_set1_epi32(hi)
    }

    /// `multiplyByQuantizedMultiplier(acc, multiplier, shift)` on sixteen lanes, bit for bit.
    @inline(__always)
    func scaled(_ acc: __m512i) -> __m512i {
        let x = shiftsLeft ? _mm512_sllv_epi32(acc, left) : acc
        let largest = _mm512_set1_epi64(Int64(Int32.max) << 31)
        @inline(__always) func rounded(_ x: __m512i, _ m: __m512i, _ round: __m512i, _ negative: __m512i, _ shift: __m512i) -> __m512i {
            let exact = _mm512_mul_epi32(x, m)
            let product = mayOverflow ? _mm512_min_epi64(exact, largest) : exact
            let sum = _mm512_add_epi64(product, round)
            return _mm512_srav_epi64(_mm512_mask_sub_epi64(sum, _mm512_movepi64_mask(product), sum, negative), shift)
        }
        let even = rounded(x, multiplier, roundEven, negativeEven, shiftEven)
        let odd = rounded(_mm512_srli_epi64(x, 32), multiplierOdd, roundOdd, negativeOdd, shiftOdd)
        return _mm512_permutex2var_epi32(even, _mm512_set_epi32(30, 14, 28, 12, 26, 10, 24, 8, 22, 6, 20, 4, 18, 2, 16, 0), odd)
    }

    /// The outputs as int32: scaled, offset by the zero point (a wrapping add, as TFLite's) and
    /// clamped; with the whole int8 range, left for the caller's saturating narrowing to clamp.
    @inline(__always)
    func clamped(_ acc: __m512i) -> __m512i {
        let offset = _mm512_add_epi32(scaled(acc), zeroPoint)
        return wholeRange ? offset : _mm512_min_epi32(_mm512_max_epi32(offset, lo), hi)
    }

    /// Sixteen int8 outputs: clamped and narrowed.
    @inline(__always)
    func callAsFunction(_ acc: __m512i) -> __m128i { _mm512_cvtsepi32_epi8(clamped(acc)) }
}

/// Two whole blocks of eight channels requantized as one `Requantize16AVX512`: the AVX-512 VNNI
/// packed kernels' pair requantization (`AVX512VNNIDotProduct.BlockPairRequantizer`).
public struct RequantizeBlockPairAVX512: RequantizesBlockPairs {
    let requantize: Requantize16AVX512
    let channel: Int

    @inline(__always)
    public init(_ q: ChannelRequantization, channel o: Int, outputZeroPoint: Int32, min lo: Int32, max hi: Int32) {
        requantize = Requantize16AVX512(multiplier: _mm512_loadu_si512(q.multipliers + o), shift: _mm512_loadu_si512(q.shifts + o),
                                        outputZeroPoint: outputZeroPoint, min: lo, max: hi)
        channel = o
    }

    @inline(__always)
    public func store(_ low: __m256i, _ high: __m256i, to out: UnsafeMutablePointer<Int8>) {
        let joined = _mm512_set_epi32(23, 22, 21, 20, 19, 18, 17, 16, 7, 6, 5, 4, 3, 2, 1, 0)
        let sums = _mm512_permutex2var_epi32(_mm512_castsi256_si512(low), joined, _mm512_castsi256_si512(high))
        UnsafeMutableRawPointer(out + channel).storeBytes(of: requantize(sums), as: __m128i.self)
    }
}

/// `multiplyByQuantizedMultiplier` on sixteen lanes with `Requantize16AVX512`, bit for bit
/// (what the requantization tests call).
public func multiplyByQuantizedMultiplier16AVX512(_ acc: SIMD16<Int32>, _ multiplier: SIMD16<Int32>,
                                                  _ shift: SIMD16<Int32>) -> SIMD16<Int32> {
    let r = Requantize16AVX512(multiplier: unsafeBitCast(multiplier, to: __m512i.self), shift: unsafeBitCast(shift, to: __m512i.self),
                               outputZeroPoint: 0, min: 0, max: 0)
    return unsafeBitCast(r.scaled(unsafeBitCast(acc, to: __m512i.self)), to: SIMD16<Int32>.self)
}
#endif
