#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `conv2d_s8` with AVX2 over a filter in the `convQuads8` layout (`packConvQuads8`; a conv op's
/// input 5): the same contract and bytes, a GEMM microkernel for CPUs without AVX-VNNI. A stem
/// (`Conv2DParams.takesStemPath`) runs as one GEMM over its whole patch with vpdpbusd's arithmetic
/// in AVX2 (`conv2dPackedStemDotProduct` with `AVX2DotProduct`).
///
/// Four output pixels of a row and eight output channels at a time. Per tap, each pixel's next
/// sixteen input channels are sign-extended and offset by −zeroPoint once (four quads of int16);
/// per quad, the 32 packed weight bytes of the eight channels are sign-extended into two vectors
/// (channels 0–3 and 4–7), the pixel's quad is broadcast to every 64-bit lane (a vpbroadcastq
/// load) and vpmaddwd gives each channel two partial sums, `x0·w0 + x1·w1` and `x2·w2 + x3·w3`,
/// added into the pixel's two int32 accumulators (exact: |x − zp| ≤ 255, |w| ≤ 127; adds wrap as
/// the reference's `&+=`). At the end vphaddd joins the partial sums and a lane permute puts the
/// channels in order. Pixels whose tap falls in the padding, and channels past the group's end,
/// read the zero point, so they add nothing. The sums are requantized eight at a time.
public func conv2d_s8_packed_avx2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                  bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                  output: UnsafeMutablePointer<Int8>) {
    if p.takesStemPath {
        return conv2dPackedStemAVX2(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output)
    }
    let cinPerGroup = p.input.channels / p.groups, coutPerGroup = p.output.channels / p.groups
    let layout = ConvQuads8Layout(p), blocks = layout.blocksPerGroup
    let offset = _mm256_set1_epi16(Int16(truncatingIfNeeded: 0 &- p.inputZeroPoint))
    let zeroPoint = Int8(truncatingIfNeeded: p.inputZeroPoint)
    let zero = _mm256_setzero_si256()
    let channelOrder = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7)

    let inputEnd = input + p.input.height * p.input.width * p.input.channels
    /// Sixteen channels from `src` (fewer at a group's end), widened and offset; zero when the tap
    /// is in the padding (`src` nil). Past the group's channels the packed weights are zero, so
    /// the bytes read there (the next pixel's) add nothing: sixteen are read at once unless that
    /// would pass the end of the input, where the rest are the zero point.
    @inline(__always) func pixelQuads(_ src: UnsafePointer<Int8>?, _ c: Int, _ chunk: Int) -> __m256i {
        guard let src else { return zero }
        if chunk == 16 || src + c + 16 <= inputEnd { return _mm256_add_epi16(widen16(src + c), offset) }
        var padded = SIMD16<Int8>(repeating: zeroPoint)
        for k in 0..<chunk { padded[k] = src[c + k] }
        return withUnsafeBytes(of: &padded) { _mm256_add_epi16(widen16($0.baseAddress!.assumingMemoryBound(to: Int8.self)), offset) }
    }

    // Sixteen quads of the current pixels: 128 bytes of stack, whatever the model.
    var quadsStorage = SIMD16<Int64>()
    withUnsafeMutableBytes(of: &quadsStorage) { quadsBuffer in
    let quads64 = quadsBuffer.baseAddress!.bindMemory(to: Int64.self, capacity: 16)
    for oy in 0..<p.output.height {
        var ox = 0
        while ox < p.output.width {
            let pixels = min(4, p.output.width - ox)
            for group in 0..<p.groups {
                for block in 0..<blocks {
                    var lo0 = zero, lo1 = zero, lo2 = zero, lo3 = zero
                    var hi0 = zero, hi1 = zero, hi2 = zero, hi3 = zero
                    let weights = packed + (group * blocks + block) * layout.blockBytes
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
                            let tapWeights = weights + (ky * p.kernelW + kx) * layout.tapBytes
                            var c = 0
                            while c < cinPerGroup {
                                let chunk = min(16, cinPerGroup - c)
                                // The four pixels' quads go through memory, so that each quad is
                                // broadcast by a load (vpbroadcastq) rather than a shuffle.
                                let raw = UnsafeMutableRawPointer(quads64)
                                raw.storeBytes(of: pixelQuads(s0, c, chunk), as: __m256i.self)
                                raw.storeBytes(of: pixelQuads(s1, c, chunk), toByteOffset: 32, as: __m256i.self)
                                raw.storeBytes(of: pixelQuads(s2, c, chunk), toByteOffset: 64, as: __m256i.self)
                                raw.storeBytes(of: pixelQuads(s3, c, chunk), toByteOffset: 96, as: __m256i.self)
                                for i in 0..<((chunk + 3) / 4) {
                                    let w = tapWeights + (c / 4 + i) * 32
                                    let wLo = widen16(w), wHi = widen16(w + 16)
                                    var x = _mm256_set1_epi64x(quads64[i])
                                    lo0 = _mm256_add_epi32(lo0, _mm256_madd_epi16(x, wLo))
                                    hi0 = _mm256_add_epi32(hi0, _mm256_madd_epi16(x, wHi))
                                    x = _mm256_set1_epi64x(quads64[4 + i])
                                    lo1 = _mm256_add_epi32(lo1, _mm256_madd_epi16(x, wLo))
                                    hi1 = _mm256_add_epi32(hi1, _mm256_madd_epi16(x, wHi))
                                    x = _mm256_set1_epi64x(quads64[8 + i])
                                    lo2 = _mm256_add_epi32(lo2, _mm256_madd_epi16(x, wLo))
                                    hi2 = _mm256_add_epi32(hi2, _mm256_madd_epi16(x, wHi))
                                    x = _mm256_set1_epi64x(quads64[12 + i])
                                    lo3 = _mm256_add_epi32(lo3, _mm256_madd_epi16(x, wLo))
                                    hi3 = _mm256_add_epi32(hi3, _mm256_madd_epi16(x, wHi))
                                }
                                c += 16
                            }
                        }
                    }
                    let o = group * coutPerGroup + block * 8, rows = min(8, coutPerGroup - block * 8)
                    let requantize = Requantize8AVX2(requantization, channel: o, rows: rows, bias: bias, outputZeroPoint: p.outputZeroPoint,
                                                     min: p.activationMin, max: p.activationMax)
                    /// Joins pixel `k`'s partial sums and requantizes them into its channels `o ..< o + rows`.
                    func finish(_ lo: __m256i, _ hi: __m256i, _ k: Int) {
                        let acc = _mm256_permutevar8x32_epi32(_mm256_hadd_epi32(lo, hi), channelOrder)
                        let out = output + (oy * p.output.width + ox + k) * p.output.channels
                        if rows == 8 {
                            UnsafeMutableRawPointer(out + o).storeBytes(of: requantize(acc), as: SIMD8<Int8>.self)
                        } else {
                            storeRequantizedTailAVX2(acc, bias: bias, requantization, channel: o, rows: rows, outputZeroPoint: p.outputZeroPoint,
                                                     min: p.activationMin, max: p.activationMax, to: out)
                        }
                    }
                    finish(lo0, hi0, 0)
                    if pixels > 1 { finish(lo1, hi1, 1) }
                    if pixels > 2 { finish(lo2, hi2, 2) }
                    if pixels > 3 { finish(lo3, hi3, 3) }
                }
            }
            ox += pixels
        }
    }
    }
}

/// The tile `conv2d_s8_packed_avx2` runs `p` in (part of its name): a stem's patch GEMM (four
/// pixels by two blocks of eight channels over quads of the patch) or four pixels by eight channels.
public func conv2dPackedTileAVX2(_ p: Conv2DParams) -> StaticString { p.takesStemPath ? "patch4x16c4" : "4x8c4" }

/// The stem path of `conv2d_s8_packed_avx2`, compiled apart: inlined, the patch GEMM's body made
/// the kernel's own GEMM loop 5–12 % slower (mbv2's pointwise convs, `--kernels avx2`).
@inline(never)
func conv2dPackedStemAVX2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                          bias: UnsafePointer<Int32>?, requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>) {
    conv2dPackedStemDotProduct(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output,
                               dot: AVX2DotProduct.self)
}
#endif
