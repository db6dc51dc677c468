#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// The requantization of eight output channels `c ..< c + 8`, prepared once per block of
/// channels and applied to every pixel's eight accumulators: exactly `ChannelRequantization.apply`
/// (TFLite's `MultiplyByQuantizedMultiplier`), then the bias (added first), the output zero point
/// and the clamp. Example: acc 1000, multiplier 2^30, shift −1, no bias, zero point 0 → 250.
///
/// The doubling high multiply needs 64-bit products: vpmuldq multiplies the even lanes, and the
/// odd lanes after a 32-bit shift. gemmlowp nudges a product by 2^30, or by 1 − 2^30 when it is
/// negative, then divides by 2^31 truncating toward zero; both cases equal `(a·b + 2^30) >> 31`
/// with an arithmetic shift (for a·b < 0, write a·b + 2^30 = q·2^31 + r with 0 ≤ r < 2^31:
/// truncating (a·b + 1 − 2^30) / 2^31 gives q as well). The low 32 bits of that shift are the same
/// for a logical shift, which AVX2 has. The one overflow case (both operands Int32.min) becomes
/// Int32.max; it is only checked when a lane's multiplier is Int32.min (`mayOverflow`). The
/// rounding right shift is gemmlowp's: the remainder against half the divisor, plus one for
/// negative values.
@frozen public struct Requantize8AVX2 {
    @usableFromInline let bias, multiplier, multiplierOdd, multiplierIsMin, left, right, mask, halfMask: __m256i
    @usableFromInline let zeroPoint, lo, hi: __m256i
    /// Whether a lane's multiplier is Int32.min, the one case where the doubling high multiply
    /// can overflow (never in a validated model, whose multipliers are 0 or in [2^30, 2^31)).
    @usableFromInline let mayOverflow: Bool

    /// For channels `c ..< c + 8` of `q`, with `bias` (nil: none), the output zero point and clamp.
    /// With `rows` < 8 (a partial block, requantized channel by channel) nothing is read and the
    /// value is not to be used.
    @inlinable @inline(__always)
    public init(_ q: ChannelRequantization, channel c: Int, rows: Int = 8, bias: UnsafePointer<Int32>?, outputZeroPoint: Int32,
                min lo: Int32, max hi: Int32) {
        guard rows == 8 else {
            self.init(multiplier: _mm256_setzero_si256(), shift: _mm256_setzero_si256(), bias: _mm256_setzero_si256(),
                      outputZeroPoint: 0, min: 0, max: 0)
            return
        }
        let shift = _mm256_loadu_si256(UnsafeRawPointer(q.shifts + c).assumingMemoryBound(to: __m256i.self))
        let multiplier = _mm256_loadu_si256(UnsafeRawPointer(q.multipliers + c).assumingMemoryBound(to: __m256i.self))
        self.init(multiplier: multiplier, shift: shift,
                  bias: bias.map { _mm256_loadu_si256(UnsafeRawPointer($0 + c).assumingMemoryBound(to: __m256i.self)) }
                      ?? _mm256_setzero_si256(),
                  outputZeroPoint: outputZeroPoint, min: lo, max: hi)
    }

    /// Lane-wise multipliers and shifts (shifts in −31...31 − leading bits of the inputs).
    @inlinable @inline(__always)
    public init(multiplier: __m256i, shift: __m256i, bias: __m256i, outputZeroPoint: Int32, min lo: Int32, max hi: Int32) {
        let zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1)
        self.bias = bias
        self.multiplier = multiplier
        multiplierOdd = _mm256_srli_epi64(multiplier, 32)
        multiplierIsMin = _mm256_cmpeq_epi32(multiplier, _mm256_set1_epi32(Int32.min))
        mayOverflow = _mm256_movemask_epi8(multiplierIsMin) != 0
        left = _mm256_max_epi32(shift, zero)
        right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero)
        mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one)
        halfMask = _mm256_srai_epi32(mask, 1)
        zeroPoint = _mm256_set1_epi32(outputZeroPoint)
        self.lo = _mm256_set1_epi32(lo)
        self.hi = _mm256_set1_epi32(hi)
    }

    /// `multiplyByQuantizedMultiplier(acc + bias, multiplier, shift)` on eight lanes, bit for bit.
    @inlinable @inline(__always)
    public func scaled(_ acc: __m256i) -> __m256i {
        let x = _mm256_sllv_epi32(_mm256_add_epi32(acc, bias), left)
        let nudge = _mm256_set1_epi64x(1 << 30)
        let even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, multiplier), nudge), 31)
        let odd = _mm256_slli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), multiplierOdd), nudge), 1)
        var high = _mm256_blendv_epi8(even, odd, _mm256_set1_epi64x(Int64(bitPattern: 0xFFFF_FFFF_0000_0000)))
        if mayOverflow {
            let overflow = _mm256_and_si256(_mm256_cmpeq_epi32(x, _mm256_set1_epi32(Int32.min)), multiplierIsMin)
            high = _mm256_blendv_epi8(high, _mm256_set1_epi32(Int32.max), overflow)
        }
        // Rounding divide by 2^right: the threshold is half the divisor, one more for negative values.
        let threshold = _mm256_sub_epi32(halfMask, _mm256_cmpgt_epi32(_mm256_setzero_si256(), high))
        return _mm256_sub_epi32(_mm256_srav_epi32(high, right), _mm256_cmpgt_epi32(_mm256_and_si256(high, mask), threshold))
    }

    /// The eight int8 outputs of eight accumulators.
    @inlinable @inline(__always)
    public func callAsFunction(_ acc: __m256i) -> SIMD8<Int8> {
        unsafeBitCast(narrowed(acc), to: SIMD8<Int8>.self)
    }

    /// The eight int8 outputs of eight accumulators, stored at `out`.
    @inlinable @inline(__always)
    public func store(_ acc: __m256i, to out: UnsafeMutablePointer<Int8>) {
        UnsafeMutableRawPointer(out).storeBytes(of: narrowed(acc), as: Int64.self)
    }

    /// The outputs as eight bytes: clamped values narrowed by saturating packs (exact, as they
    /// fit), the two 128-bit halves' bytes 0–3 gathered into the low eight.
    @inlinable @inline(__always)
    func narrowed(_ acc: __m256i) -> Int64 {
        let y = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(scaled(acc), zeroPoint), lo), hi)
        let bytes = _mm256_packs_epi16(_mm256_packs_epi32(y, y), _mm256_setzero_si256())
        let gathered = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0))
        return _mm_cvtsi128_si64(_mm256_castsi256_si128(gathered))
    }
}

/// Eight int32 sums of output channels `o ..< o + rows` (rows < 8) of one pixel: the bias added,
/// requantized, offset, clamped and stored at `out + o`, one by one (a block's last channels).
@inlinable
public func storeRequantizedTailAVX2(_ acc: __m256i, bias: UnsafePointer<Int32>?, _ q: ChannelRequantization, channel o: Int,
                                     rows: Int, outputZeroPoint: Int32, min lo: Int32, max hi: Int32,
                                     to out: UnsafeMutablePointer<Int8>) {
    let sums = unsafeBitCast(acc, to: SIMD8<Int32>.self)
    for r in 0..<rows {
        out[o + r] = clampToInt8(q.apply(sums[r] &+ (bias?[o + r] ?? 0), channel: o + r) &+ outputZeroPoint, lo, hi)
    }
}

/// `multiplyByQuantizedMultiplier` on eight lanes, bit for bit; compiled here, for AVX2 (the
/// requantization tests call it; the kernels use `Requantize8AVX2`, prepared once per block).
public func multiplyByQuantizedMultiplier8AVX2(_ acc: SIMD8<Int32>, _ multiplier: SIMD8<Int32>, _ shift: SIMD8<Int32>) -> SIMD8<Int32> {
    let r = Requantize8AVX2(multiplier: unsafeBitCast(multiplier, to: __m256i.self), shift: unsafeBitCast(shift, to: __m256i.self),
                            bias: _mm256_setzero_si256(), outputZeroPoint: 0, min: 0, max: 0)
    return unsafeBitCast(r.scaled(unsafeBitCast(acc, to: __m256i.self)), to: SIMD8<Int32>.self)
}
#endif
