#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `conv2d_s8` with AVX2 over a filter in the `convPairs8` layout (`packConvPairs8`; a conv op's
/// input 5): the same contract and bytes, a GEMM microkernel with no horizontal sums.
///
/// Four output pixels of a row and eight output channels at a time: per tap, each pixel's next
/// sixteen input channels are sign-extended and offset once (eight int16 pairs); per pair, the
/// packed weights of the eight channels are sign-extended (`w[o][2j], w[o][2j+1]` for o = 0…7),
/// the pixel's pair is broadcast to every lane (a vpbroadcastd load) and vpmaddwd gives each channel
/// `x[2j]·w[o][2j] + x[2j+1]·w[o][2j+1]`, added into that pixel's eight int32 sums (exact, as in
/// `RowSums4`). Pixels whose tap falls in the padding, and channels past the group's end, read
/// the zero point, so they add nothing. The sums are requantized eight at a time.
public func conv2d_s8_packed_avx2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                  bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                  output: UnsafeMutablePointer<Int8>) {
    let cinPerGroup = p.input.channels / p.groups, coutPerGroup = p.output.channels / p.groups
    let taps = p.kernelH * p.kernelW, pairs = (cinPerGroup + 1) / 2, blocks = (coutPerGroup + 7) / 8
    let offset = _mm256_set1_epi16(Int16(truncatingIfNeeded: 0 &- p.inputZeroPoint))
    let zeroPoint = Int8(truncatingIfNeeded: p.inputZeroPoint)
    let zero = _mm256_setzero_si256()

    /// Sixteen channels from `src` (fewer at a group's end, the rest the zero point), widened and
    /// offset; zero when the tap is in the padding (`src` nil).
    @inline(__always) func pixelPairs(_ src: UnsafePointer<Int8>?, _ c: Int, _ chunk: Int) -> __m256i {
        guard let src else { return zero }
        if chunk == 16 { return _mm256_add_epi16(widen16(src + c), offset) }
        var padded = SIMD16<Int8>(repeating: zeroPoint)
        for k in 0..<chunk { padded[k] = src[c + k] }
        return withUnsafeBytes(of: &padded) { _mm256_add_epi16(widen16($0.baseAddress!.assumingMemoryBound(to: Int8.self)), offset) }
    }

    withUnsafeTemporaryAllocation(of: Int32.self, capacity: 32) { pairsBuffer in
    let pairs32 = pairsBuffer.baseAddress!
    for oy in 0..<p.output.height {
        var ox = 0
        while ox < p.output.width {
            let pixels = min(4, p.output.width - ox)
            for group in 0..<p.groups {
                for block in 0..<blocks {
                    var acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero
                    let weights = packed + (group * blocks + block) * taps * pairs * 16
                    for ky in 0..<p.kernelH {
                        let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                        if iy < 0 || iy >= p.input.height { continue }
                        let line = input + iy * p.input.width * p.input.channels + group * cinPerGroup
                        for kx in 0..<p.kernelW {
                            /// Pixel `k`'s input at this tap, nil in the padding or past the row's end.
                            func source(_ k: Int) -> UnsafePointer<Int8>? {
                                let ix = (ox + k) * p.strideW - p.padLeft + kx * p.dilationW
                                return k < pixels && ix >= 0 && ix < p.input.width ? line + ix * p.input.channels : nil
                            }
                            let s0 = source(0), s1 = source(1), s2 = source(2), s3 = source(3)
                            if s0 == nil && s1 == nil && s2 == nil && s3 == nil { continue }
                            let tapWeights = weights + (ky * p.kernelW + kx) * pairs * 16
                            var c = 0
                            while c < cinPerGroup {
                                let chunk = min(16, cinPerGroup - c)
                                // The four pixels' pairs go through memory, so that each pair is
                                // broadcast by a load (vpbroadcastd) rather than a shuffle.
                                let raw = UnsafeMutableRawPointer(pairs32)
                                raw.storeBytes(of: pixelPairs(s0, c, chunk), as: __m256i.self)
                                raw.storeBytes(of: pixelPairs(s1, c, chunk), toByteOffset: 32, as: __m256i.self)
                                raw.storeBytes(of: pixelPairs(s2, c, chunk), toByteOffset: 64, as: __m256i.self)
                                raw.storeBytes(of: pixelPairs(s3, c, chunk), toByteOffset: 96, as: __m256i.self)
                                for i in 0..<((chunk + 1) / 2) {
                                    let w = widen16(tapWeights + (c / 2 + i) * 16)
                                    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(_mm256_set1_epi32(pairs32[i]), w))
                                    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(_mm256_set1_epi32(pairs32[8 + i]), w))
                                    acc2 = _mm256_add_epi32(acc2, _mm256_madd_epi16(_mm256_set1_epi32(pairs32[16 + i]), w))
                                    acc3 = _mm256_add_epi32(acc3, _mm256_madd_epi16(_mm256_set1_epi32(pairs32[24 + i]), w))
                                }
                                c += 16
                            }
                        }
                    }
                    let o = group * coutPerGroup + block * 8, rows = min(8, coutPerGroup - block * 8)
                    /// Requantizes pixel `k`'s eight sums into its output channels `o ..< o + rows`.
                    func finish(_ acc: __m256i, _ k: Int) {
                        let out = output + (oy * p.output.width + ox + k) * p.output.channels
                        var sums = unsafeBitCast(acc, to: SIMD8<Int32>.self)
                        if let bias { for r in 0..<rows { sums[r] &+= bias[o + r] } }
                        if rows == 8 {
                            let y = requantize8AVX2(unsafeBitCast(sums, to: __m256i.self), requantization, channel: o,
                                                    outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax)
                            UnsafeMutableRawPointer(out + o).storeBytes(of: y, as: SIMD8<Int8>.self)
                        } else {
                            for r in 0..<rows {
                                out[o + r] = clampToInt8(requantization.apply(sums[r], channel: o + r) + p.outputZeroPoint,
                                                         p.activationMin, p.activationMax)
                            }
                        }
                    }
                    finish(acc0, 0)
                    if pixels > 1 { finish(acc1, 1) }
                    if pixels > 2 { finish(acc2, 2) }
                    if pixels > 3 { finish(acc3, 3) }
                }
            }
            ox += pixels
        }
    }
    }
}
#endif
