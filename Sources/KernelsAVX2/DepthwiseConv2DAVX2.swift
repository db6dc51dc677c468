#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `dwconv2d_s8` with AVX2: the same contract and bytes; no scratch (its per-call tables live on
/// its stack).
///
/// With depth multiplier 1 or a multiple of 16, channels go sixteen at a time (`depthwise16AVX2`): taps in pairs, the
/// two taps' inputs and weights interleaved as int16 pairs so that one vpmaddwd adds both taps'
/// products per channel; with multiplier 1, a remaining block of eight the same way
/// (`depthwise8AVX2`, without scratch). The remaining channels, and other multipliers, go eight at a time: per
/// tap, eight inputs (contiguous with depth multiplier 1, gathered lane by lane otherwise, as for a
/// one-channel stem with multiplier 16) and eight weights sign-extended to int32, the input offset
/// added, multiplied (vpmulld, exact: |product| ≤ 255 · 127) and summed with wrapping adds; the
/// eight accumulators are requantized together (`Requantize8AVX2`).
public func dwconv2d_s8_avx2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                             bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                             output: UnsafeMutablePointer<Int8>) {
    if p.takesOneChannelPatchPath {
        // One input channel (a filter bank over a spectrogram, a one-channel stem): one GEMM over each pixel's patch.
        return dwconv2dDotProduct(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output,
                                  dot: AVX2DotProduct.self)
    }
    let channels = p.output.channels, inChannels = p.input.channels
    let multiplier = channels / inChannels
    let offset = _mm256_set1_epi32(0 &- p.inputZeroPoint)
    @inline(__always) func widen8(_ q: UnsafePointer<Int8>) -> __m256i {
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(UnsafeRawPointer(q).assumingMemoryBound(to: __m128i.self)))
    }
    var firstChannel = (multiplier == 1 || multiplier % 16 == 0) && p.kernelH * p.kernelW <= depthwise16MaxTaps
        ? depthwise16AVX2(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output) : 0
    while multiplier == 1 && firstChannel + 8 <= channels && p.kernelH * p.kernelW <= depthwise8MaxTaps {
        depthwise8AVX2(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output, channel: firstChannel)
        firstChannel += 8
    }
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let out = output + (oy * p.output.width + ox) * channels
            var c = firstChannel
            while c < channels {
                let lanes = min(8, channels - c)
                let firstSource = c / multiplier, oneSource = firstSource == (c + 7) / multiplier
                var acc = SIMD8<Int32>(repeating: 0)
                if let bias { for l in 0..<lanes { acc[l] = bias[c + l] } }
                for ky in 0..<p.kernelH {
                    let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                    if iy < 0 || iy >= p.input.height { continue }
                    for kx in 0..<p.kernelW {
                        let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                        if ix < 0 || ix >= p.input.width { continue }
                        let pixel = input + (iy * p.input.width + ix) * inChannels
                        let w = filter + (ky * p.kernelW + kx) * channels + c
                        if lanes == 8 && multiplier == 1 {
                            let product = _mm256_mullo_epi32(_mm256_add_epi32(widen8(pixel + c), offset), widen8(w))
                            acc &+= unsafeBitCast(product, to: SIMD8<Int32>.self)
                        } else if lanes == 8 {
                            // All eight lanes read one input channel when the multiplier spans them (a stem's 1 → 16).
                            let x: __m256i
                            if oneSource {
                                x = _mm256_set1_epi32(Int32(pixel[firstSource]))
                            } else {
                                var lanes = SIMD8<Int32>()
                                for l in 0..<8 { lanes[l] = Int32(pixel[(c + l) / multiplier]) }
                                x = unsafeBitCast(lanes, to: __m256i.self)
                            }
                            let product = _mm256_mullo_epi32(_mm256_add_epi32(x, offset), widen8(w))
                            acc &+= unsafeBitCast(product, to: SIMD8<Int32>.self)
                        } else {
                            for l in 0..<lanes { acc[l] &+= (Int32(pixel[(c + l) / multiplier]) &- p.inputZeroPoint) &* Int32(w[l]) }
                        }
                    }
                }
                if lanes == 8 {
                    let y = Requantize8AVX2(requantization, channel: c, bias: nil, outputZeroPoint: p.outputZeroPoint,
                                            min: p.activationMin, max: p.activationMax)(unsafeBitCast(acc, to: __m256i.self))
                    UnsafeMutableRawPointer(out + c).storeBytes(of: y, as: SIMD8<Int8>.self)
                } else {
                    storeRequantizedTailAVX2(unsafeBitCast(acc, to: __m256i.self), bias: nil, requantization, channel: c, rows: lanes,
                                             outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax, to: out)
                }
                c += lanes
            }
        }
    }
}

/// The tile `dwconv2d_s8_avx2` starts `p` with (part of its name): a one-channel patch GEMM, blocks
/// of sixteen or eight channels, or eight lanes (gathered inputs, other multipliers).
public func dwconv2dTileAVX2(_ p: Conv2DParams) -> StaticString {
    let multiplier = p.output.channels / p.input.channels
    if p.takesOneChannelPatchPath { return "patch4x16c4" }
    if (multiplier == 1 || multiplier % 16 == 0) && p.output.channels >= 16 && p.kernelH * p.kernelW <= depthwise16MaxTaps { return "16c" }
    if multiplier == 1 && p.output.channels >= 8 && p.kernelH * p.kernelW <= depthwise8MaxTaps { return "8c" }
    return "8lane"
}

/// The depthwise convolution of channels `0 ..< 16·⌊C/16⌋`, sixteen at a time, for depth
/// multiplier 1 (sixteen input channels per block) or a multiple of 16 (one input channel per
/// block, broadcast, as in a one-channel stem with multiplier 16); returns the first channel left
/// undone.
///
/// Per channel block, each pair of taps `(t, t + 1)` has its weights sign-extended and
/// interleaved once (`w[t][c], w[t+1][c]` per channel, vpunpcklwd/vpunpckhwd); per output pixel,
/// the two taps' inputs are sign-extended, offset and interleaved the same way, and vpmaddwd gives
/// every channel `x_t·w_t + x_{t+1}·w_{t+1}` in an int32 lane (exact, as in `RowSums4`). A tap in
/// the padding contributes a zero vector. Windows wholly inside the image skip the
/// offset and the bounds checks: their sums start from −zp·Σw (per block, with the same
/// instruction) and add the raw inputs' products, equal in wrapping int32 arithmetic. The
/// interleave works within 128-bit halves, so the two
/// accumulators hold channels [0–3, 8–11] and [4–7, 12–15] until they are put back in order.
func depthwise16AVX2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
                     requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>) -> Int {
    let channels = p.output.channels, taps = p.kernelH * p.kernelW, tapPairs = (taps + 1) / 2
    let inChannels = p.input.channels, multiplier = channels / inChannels
    let offset = _mm256_set1_epi16(Int16(truncatingIfNeeded: 0 &- p.inputZeroPoint))
    let zero = _mm256_setzero_si256()
    let blocks = channels / 16
    guard blocks > 0 else { return 0 }
    // Each tap's row and column offset, and its input offset from the window's first pixel, computed once (no division in the
    // pixel loop), and each pair of taps' interleaved weights, on the stack (at most 7,232 bytes: `depthwise16MaxTaps`). A
    // phantom last tap (odd tap counts) reads the first pixel against zero weights.
    return withUnsafeTemporaryAllocation(byteCount: 64 * tapPairs + 24 * (taps + 1), alignment: 32) { table in
    let weights = table.baseAddress!.bindMemory(to: __m256i.self, capacity: 2 * tapPairs)
    let tapOffsets = UnsafeMutableRawPointer(weights + 2 * tapPairs).bindMemory(to: Int.self, capacity: 3 * (taps + 1))
    for t in 0...taps {
        let tap = t < taps ? t : 0
        tapOffsets[3 * t] = (tap / p.kernelW) * p.dilationH
        tapOffsets[3 * t + 1] = (tap % p.kernelW) * p.dilationW
        tapOffsets[3 * t + 2] = (tapOffsets[3 * t] * p.input.width + tapOffsets[3 * t + 1]) * inChannels
    }
    let lastRow = (p.kernelH - 1) * p.dilationH, lastColumn = (p.kernelW - 1) * p.dilationW
    let zeroPoints = _mm256_set1_epi16(Int16(truncatingIfNeeded: p.inputZeroPoint))
    for block in 0..<blocks {
        let c = block * 16, source = c / multiplier
        // Windows inside the image start from −zp·Σw and add x·w: no offset per input.
        var interiorLow = zero, interiorHigh = zero
        for j in 0..<tapPairs {
            let a = widen16(filter + 2 * j * channels + c)
            let b = 2 * j + 1 < taps ? widen16(filter + (2 * j + 1) * channels + c) : zero
            weights[2 * j] = _mm256_unpacklo_epi16(a, b)
            weights[2 * j + 1] = _mm256_unpackhi_epi16(a, b)
            interiorLow = _mm256_sub_epi32(interiorLow, _mm256_madd_epi16(zeroPoints, weights[2 * j]))
            interiorHigh = _mm256_sub_epi32(interiorHigh, _mm256_madd_epi16(zeroPoints, weights[2 * j + 1]))
        }
        let requantizeFirst = Requantize8AVX2(requantization, channel: c, bias: bias, outputZeroPoint: p.outputZeroPoint,
                                              min: p.activationMin, max: p.activationMax)
        let requantizeSecond = Requantize8AVX2(requantization, channel: c + 8, bias: bias, outputZeroPoint: p.outputZeroPoint,
                                               min: p.activationMin, max: p.activationMax)
        for oy in 0..<p.output.height {
            let y0 = oy * p.strideH - p.padTop
            let rowInside = y0 >= 0 && y0 + lastRow < p.input.height
            for ox in 0..<p.output.width {
                let x0 = ox * p.strideW - p.padLeft
                var low = zero, high = zero
                if rowInside && x0 >= 0 && x0 + lastColumn < p.input.width {
                    let window = input + (y0 * p.input.width + x0) * inChannels + source
                    /// Tap input at `offset` from the window: sixteen channels, or one broadcast.
                    @inline(__always) func tapInputs(_ offset: Int) -> __m256i {
                        multiplier == 1 ? widen16(window + offset) : _mm256_set1_epi16(Int16(window[offset]))
                    }
                    low = interiorLow
                    high = interiorHigh
                    for j in 0..<tapPairs {
                        let a = tapInputs(tapOffsets[6 * j + 2]), b = tapInputs(tapOffsets[6 * j + 5])
                        low = _mm256_add_epi32(low, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), weights[2 * j]))
                        high = _mm256_add_epi32(high, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), weights[2 * j + 1]))
                    }
                } else {
                    /// Tap `t`'s sixteen inputs, widened and offset; zero in the padding or past the last tap.
                    @inline(__always) func inputs(_ t: Int) -> __m256i {
                        guard t < taps else { return zero }
                        let iy = y0 + tapOffsets[3 * t], ix = x0 + tapOffsets[3 * t + 1]
                        guard iy >= 0, iy < p.input.height, ix >= 0, ix < p.input.width else { return zero }
                        let pixel = input + (iy * p.input.width + ix) * inChannels
                        if multiplier == 1 { return _mm256_add_epi16(widen16(pixel + c), offset) }
                        return _mm256_set1_epi16(Int16(pixel[source]) &- Int16(truncatingIfNeeded: p.inputZeroPoint))
                    }
                    for j in 0..<tapPairs {
                        let a = inputs(2 * j), b = inputs(2 * j + 1)
                        low = _mm256_add_epi32(low, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), weights[2 * j]))
                        high = _mm256_add_epi32(high, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), weights[2 * j + 1]))
                    }
                }
                let l = unsafeBitCast(low, to: SIMD8<Int32>.self), h = unsafeBitCast(high, to: SIMD8<Int32>.self)
                let first = SIMD8(lowHalf: l.lowHalf, highHalf: h.lowHalf), second = SIMD8(lowHalf: l.highHalf, highHalf: h.highHalf)
                let out = output + (oy * p.output.width + ox) * channels + c
                requantizeFirst.store(unsafeBitCast(first, to: __m256i.self), to: out)
                requantizeSecond.store(unsafeBitCast(second, to: __m256i.self), to: out + 8)
            }
        }
    }
    return blocks * 16
    }
}

/// The most taps `depthwise16AVX2` takes (its interleaved weights and tap offsets live on the stack).
let depthwise16MaxTaps = 128

/// The most taps `depthwise8AVX2` takes (its interleaved weights and tap offsets live on the stack).
let depthwise8MaxTaps = 128

/// The depthwise convolution of channels `c ..< c + 8` for depth multiplier 1, the tap-pair
/// interleave of `depthwise16AVX2` on eight channels: per pair of taps `(t, t + 1)`, the two taps'
/// eight input bytes are interleaved (vpunpcklbw) and sign-extended to sixteen int16 in one
/// register, and vpmaddwd against the pair's interleaved weights gives each channel
/// `x_t·w_t + x_{t+1}·w_{t+1}` (exact, as in `RowSums4`). Sums start from −zp·Σw, and taps in the
/// padding read eight zero-point bytes, which cancel; so every pixel, inside the image or on its
/// border, takes the same loop. Weights and tap offsets are prepared once per call in stack locals.
/// Example: micro-controller models with 8, 24 or 40 depthwise channels (mbv1_025's 8) no longer
/// take the eight-lane vpmulld path.
@inline(__always)
func depthwise8AVX2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
                    requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>, channel c: Int) {
    let channels = p.output.channels, taps = p.kernelH * p.kernelW, pairs = (taps + 1) / 2
    @inline(__always) func eightBytes(_ q: UnsafePointer<Int8>) -> __m128i {
        _mm_loadl_epi64(UnsafeRawPointer(q).assumingMemoryBound(to: __m128i.self))
    }
    let zeroPoints = _mm_set1_epi8(Int8(truncatingIfNeeded: p.inputZeroPoint))
    let zeroPoints16 = _mm256_set1_epi16(Int16(truncatingIfNeeded: p.inputZeroPoint))
    var weightStore = InlineArray<64, SIMD8<Int32>>(repeating: SIMD8<Int32>())  // one interleaved pair per register
    var rowStore = InlineArray<130, Int>(repeating: 0), columnStore = InlineArray<130, Int>(repeating: 0)
    withUnsafeMutableBytes(of: &weightStore) { weightBytes in
    withUnsafeMutableBytes(of: &rowStore) { rowBytes in
    withUnsafeMutableBytes(of: &columnStore) { columnBytes in
        let weights = weightBytes.baseAddress!.assumingMemoryBound(to: __m256i.self)
        let tapRow = rowBytes.baseAddress!.assumingMemoryBound(to: Int.self)
        let tapColumn = columnBytes.baseAddress!.assumingMemoryBound(to: Int.self)
        var start = _mm256_setzero_si256()  // −zp·Σw per channel
        for j in 0..<pairs {
            let second = 2 * j + 1 < taps ? eightBytes(filter + (2 * j + 1) * channels + c) : _mm_setzero_si128()
            weights[j] = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(eightBytes(filter + 2 * j * channels + c), second))
            start = _mm256_sub_epi32(start, _mm256_madd_epi16(zeroPoints16, weights[j]))
        }
        // A phantom last tap (odd tap counts) reads the first tap's pixel against zero weights.
        for t in 0...taps {
            let tap = t < taps ? t : 0
            tapRow[t] = (tap / p.kernelW) * p.dilationH
            tapColumn[t] = (tap % p.kernelW) * p.dilationW
        }
        let requantize = Requantize8AVX2(requantization, channel: c, bias: bias, outputZeroPoint: p.outputZeroPoint,
                                         min: p.activationMin, max: p.activationMax)
        for oy in 0..<p.output.height {
            let y0 = oy &* p.strideH &- p.padTop
            for ox in 0..<p.output.width {
                let x0 = ox &* p.strideW &- p.padLeft
                /// Tap `t`'s eight input bytes, or the zero point's in the padding.
                @inline(__always) func tapBytes(_ t: Int) -> __m128i {
                    let iy = y0 &+ tapRow[t], ix = x0 &+ tapColumn[t]
                    guard iy >= 0 && iy < p.input.height && ix >= 0 && ix < p.input.width else { return zeroPoints }
                    let at: Int = (iy &* p.input.width &+ ix) &* channels &+ c
                    return eightBytes(input + at)
                }
                var acc = start
                for j in 0..<pairs {
                    let x = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(tapBytes(2 &* j), tapBytes(2 &* j &+ 1)))
                    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, weights[j]))
                }
                let at: Int = (oy &* p.output.width &+ ox) &* channels &+ c
                requantize.store(acc, to: output + at)
            }
        }
    }
    }
    }
}

#endif
