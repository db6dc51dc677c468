#if arch(x86_64)
import _Builtin_intrinsics.intel
import CAVX512VNNI
import KernelsAVX2
import Runtime

/// `fully_connected_s8` with AVX-512 VNNI: the same contract and bytes; eight weight rows at a
/// time, 64 inputs per vpdpbusd step (the last step masked). Layout: input `[inputs]`, filter
/// `[outputs][inputs]` row-major.
///
/// The inputs are made unsigned, `u = x + 128`, so `Σ (x − zp)·w = Σ u·w − (zp + 128)·Σ w`: each
/// row keeps two sixteen-lane sums, `Σ u·w` and `Σ w` (vpdpbusd against bytes of one), joined
/// lane-wise before the lanes are added up (exact in wrapping int32, as the reference's `&+=`).
/// Masked-off bytes load as zero, so the last step needs no scalar tail. The eight rows' lanes
/// are summed by a transposing tree of unpacks and lane permutes into one eight-lane vector,
/// requantized with `Requantize8AVX2`. Example: MobileNetV2's 1280 → 1000 classifier, 20 steps
/// per row.
public func fully_connected_s8_avx512vnni(_ p: FullyConnectedParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                          bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                          output: UnsafeMutablePointer<Int8>) {
    let signFlip = _mm512_set1_epi8(-128), ones = _mm512_set1_epi8(1)
    let offset = _mm512_set1_epi32(p.inputZeroPoint &+ 128)
    let zero = _mm512_setzero_si512()
    var o = 0
    while o < p.outputs {
        let rows = min(8, p.outputs - o)
        /// Row `r` of the block (the last one again past the block's rows: computed, not stored).
        @inline(__always) func row(_ r: Int) -> UnsafePointer<Int8> { filter + (o + min(r, rows - 1)) * p.inputs }
        let w = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
        var products = (zero, zero, zero, zero, zero, zero, zero, zero), sums = products
        var i = 0
        while i < p.inputs {
            let n = min(64, p.inputs - i)
            let mask: UInt64 = n == 64 ? ~0 : (1 << UInt64(n)) &- 1
            let u = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, input + i), signFlip)
            @inline(__always) func step(_ products: inout __m512i, _ sums: inout __m512i, _ weights: UnsafePointer<Int8>) {
                let v = _mm512_maskz_loadu_epi8(mask, weights + i)
                products = minnow_dpbusd512(products, u, v)
                sums = minnow_dpbusd512(sums, ones, v)
            }
            step(&products.0, &sums.0, w.0); step(&products.1, &sums.1, w.1)
            step(&products.2, &sums.2, w.2); step(&products.3, &sums.3, w.3)
            step(&products.4, &sums.4, w.4); step(&products.5, &sums.5, w.5)
            step(&products.6, &sums.6, w.6); step(&products.7, &sums.7, w.7)
            i &+= 64
        }
        @inline(__always) func joined(_ products: __m512i, _ sums: __m512i) -> __m512i {
            _mm512_sub_epi32(products, _mm512_mullo_epi32(sums, offset))
        }
        let acc = rowTotals8(joined(products.0, sums.0), joined(products.1, sums.1), joined(products.2, sums.2), joined(products.3, sums.3),
                             joined(products.4, sums.4), joined(products.5, sums.5), joined(products.6, sums.6), joined(products.7, sums.7))
        if rows == 8 {
            Requantize8AVX2(requantization, channel: o, bias: bias, outputZeroPoint: p.outputZeroPoint,
                            min: p.activationMin, max: p.activationMax).store(acc, to: output + o)
        } else {
            storeRequantizedTailAVX2(acc, bias: bias, requantization, channel: o, rows: rows, outputZeroPoint: p.outputZeroPoint,
                                     min: p.activationMin, max: p.activationMax, to: output)
        }
        o += rows
    }
}

/// The lane totals of eight sixteen-lane vectors, `[Σr0, …, Σr7]`: pairs of rows interleaved and
/// added (unpack 32-bit, then 64-bit, within 128-bit lanes), leaving four rows' partial sums per
/// 128-bit lane; then the 128-bit lanes added across.
@inline(__always)
func rowTotals8(_ r0: __m512i, _ r1: __m512i, _ r2: __m512i, _ r3: __m512i,
                _ r4: __m512i, _ r5: __m512i, _ r6: __m512i, _ r7: __m512i) -> __m256i {
    @inline(__always) func pairs(_ a: __m512i, _ b: __m512i) -> __m512i {
        _mm512_add_epi32(_mm512_unpacklo_epi32(a, b), _mm512_unpackhi_epi32(a, b))
    }
    @inline(__always) func quads(_ a: __m512i, _ b: __m512i) -> __m512i {
        _mm512_add_epi32(_mm512_unpacklo_epi64(a, b), _mm512_unpackhi_epi64(a, b))
    }
    let low = quads(pairs(r0, r1), pairs(r2, r3)), high = quads(pairs(r4, r5), pairs(r6, r7))  // rows 0–3 / 4–7 in every 128-bit lane
    // 128-bit lanes: [low0 + low1, high0 + high1, low2 + low3, high2 + high3], then the two halves added.
    let even = _mm512_permutex2var_epi32(low, _mm512_set_epi32(27, 26, 25, 24, 11, 10, 9, 8, 19, 18, 17, 16, 3, 2, 1, 0), high)
    let odd = _mm512_permutex2var_epi32(low, _mm512_set_epi32(31, 30, 29, 28, 15, 14, 13, 12, 23, 22, 21, 20, 7, 6, 5, 4), high)
    let halves = _mm512_add_epi32(even, odd)
    let upper = _mm512_permutexvar_epi64(_mm512_set_epi64(3, 2, 1, 0, 7, 6, 5, 4), halves)
    return _mm256_add_epi32(_mm512_castsi512_si256(halves), _mm512_castsi512_si256(upper))
}
#endif
