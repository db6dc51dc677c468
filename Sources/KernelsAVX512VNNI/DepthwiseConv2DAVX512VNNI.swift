#if arch(x86_64)
import _Builtin_intrinsics.intel
import CAVX512VNNI
import KernelsAVX2
import KernelsAVXVNNI
import Runtime

/// `dwconv2d_s8_avxvnni` with AVX-512: depth multiplier 1 on 512-bit registers (3 × 3 filters
/// at horizontal stride 1 or 2 with `depthwise3x3RowsAVX512VNNI` unless 8 or 16 channels at stride
/// 1 take several pixels per step, others with `depthwise32AVX512VNNI`,
/// up to `depthwise32MaxTaps` taps), one-input-channel convolutions as a
/// GEMM over each pixel's patch with vpdpbusd, every other one as `dwconv2d_s8_avx2`
/// (`dwconv2dDotProduct`). The same contract and bytes.
public func dwconv2d_s8_avx512vnni(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                   bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                   output: UnsafeMutablePointer<Int8>) {
    if takes3x3Rows(p) {
        depthwise3x3RowsAVX512VNNI(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output)
    } else if takes32Bytes(p) {
        depthwise32AVX512VNNI(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output)
    } else {
        dwconv2dDotProduct(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output,
                           dot: AVX512VNNIDotProduct.self)
    }
}

/// Whether `depthwise3x3RowsAVX512VNNI` takes `p`: multiplier 1, 3 × 3, horizontal stride 1 or 2
/// and dilation 1, unless 8 or 16 channels at stride 1 fill a step with several pixels.
func takes3x3Rows(_ p: Conv2DParams) -> Bool {
    let channels = p.output.channels
    return p.input.channels > 1 && channels == p.input.channels && p.kernelH == 3 && p.kernelW == 3 && p.strideW <= 2
        && p.dilationW == 1 && ((channels != 8 && channels != 16) || p.strideW == 2)
}

/// Whether `depthwise32AVX512VNNI` takes `p`: multiplier 1, at most `depthwise32MaxTaps` taps.
func takes32Bytes(_ p: Conv2DParams) -> Bool {
    p.input.channels > 1 && p.output.channels == p.input.channels && p.kernelH * p.kernelW <= depthwise32MaxTaps
}

/// The tile `dwconv2d_s8_avx512vnni` runs `p` in (part of its name): 3 × 3 rows of 32 channels,
/// steps of 32 channels or of 4 × 8 / 2 × 16 pixels × channels, else the AVX2 kernel's tiles.
public func dwconv2dTileAVX512VNNI(_ p: Conv2DParams) -> StaticString {
    if takes3x3Rows(p) { return "3x3rows32c" }
    guard takes32Bytes(p) else { return dwconv2dTileAVX2(p) }
    if p.strideW == 1 && p.output.channels == 8 { return "4x8c" }
    return p.strideW == 1 && p.output.channels == 16 ? "2x16c" : "32c"
}

/// The most taps `depthwise32AVX512VNNI` takes (its interleaved weights live on the stack: 4 KiB).
let depthwise32MaxTaps = 64

/// The depthwise convolution with depth multiplier 1 with vpdpwssd, 32 bytes of one output row
/// per step: 32 channels of one pixel (the last block masked: any channel count), or, with 8 or 16
/// channels and a horizontal stride of 1, 4 or 2 neighbouring pixels' channels (their inputs are
/// contiguous too; weights and parameters repeat per pixel). Layout NHWC, weights `[kH][kW][C]`.
///
/// Per block, each pair of taps `(t, t + 1)` has its weights sign-extended to int16 and
/// interleaved once (vpunpcklwd/vpunpckhwd: each 32-bit lane holds `w_t[c], w_{t+1}[c]`); per
/// step the two taps' input bytes are widened and interleaved the same way and vpdpwssd adds
/// `x_t·w_t + x_{t+1}·w_{t+1}` to each lane's int32 sum (exact: |x·w| ≤ 128·127). Sums start from
/// `bias − zp·Σw`, and taps in the padding read the zero point's bytes (blended in per pixel),
/// whose products cancel that term; steps whose windows lie inside the image skip the bounds
/// checks. The interleave works within 128-bit lanes, so the two accumulators hold bytes
/// `8k ... 8k+3` and `8k+4 ... 8k+7` of each lane k; the requantization parameters are put in
/// that order, and vpackssdw of the two clamped results puts the bytes back in order (int16, then
/// int8). The zero point is added in int32, wrapping as TFLite does, before the clamp. Example:
/// MobileNetV2's 3 × 3 depthwise convolutions over 96 … 960 channels; MobileNet v1 0.25's first
/// one over 8 channels, four pixels per step.
func depthwise32AVX512VNNI(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
                           requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>) {
    let channels = p.output.channels, taps = p.kernelH * p.kernelW, pairs = (taps + 1) / 2
    let pixelsPerStep = (channels == 8 || channels == 16) && p.strideW == 1 ? 32 / channels : 1
    var weightStore = InlineArray<64, SIMD16<Int32>>(repeating: SIMD16<Int32>())  // one interleaved half-pair per register
    var rowStore = InlineArray<65, Int>(repeating: 0), columnStore = InlineArray<65, Int>(repeating: 0)
    var offsetStore = InlineArray<65, Int>(repeating: 0)
    withUnsafeMutableBytes(of: &weightStore) { weightBytes in
    withUnsafeMutableBytes(of: &rowStore) { rowBytes in
    withUnsafeMutableBytes(of: &columnStore) { columnBytes in
    withUnsafeMutableBytes(of: &offsetStore) { offsetBytes in
        let weights = weightBytes.baseAddress!.assumingMemoryBound(to: __m512i.self)
        let tapRow = rowBytes.baseAddress!.assumingMemoryBound(to: Int.self)
        let tapColumn = columnBytes.baseAddress!.assumingMemoryBound(to: Int.self)
        let tapOffset = offsetBytes.baseAddress!.assumingMemoryBound(to: Int.self)
        // A phantom last tap (odd tap counts) reads the first tap's pixel against zero weights.
        for t in 0...taps {
            let tap = t < taps ? t : 0
            tapRow[t] = (tap / p.kernelW) * p.dilationH
            tapColumn[t] = (tap % p.kernelW) * p.dilationW
            tapOffset[t] = (tapRow[t] * p.input.width + tapColumn[t]) * channels
        }
        let zero = _mm512_setzero_si512()
        let zeroPoints = _mm512_set1_epi16(Int16(truncatingIfNeeded: p.inputZeroPoint))
        let zeroPointBytes = _mm256_set1_epi8(Int8(truncatingIfNeeded: p.inputZeroPoint))
        let lowLanes = _mm512_set_epi32(27, 26, 25, 24, 19, 18, 17, 16, 11, 10, 9, 8, 3, 2, 1, 0)
        let highLanes = _mm512_set_epi32(31, 30, 29, 28, 23, 22, 21, 20, 15, 14, 13, 12, 7, 6, 5, 4)
        let lastRow = (p.kernelH - 1) * p.dilationH, lastColumn = (p.kernelW - 1) * p.dilationW
        /// The low `n` of 32 bytes.
        @inline(__always) func firstBytes(_ n: Int) -> UInt32 { n >= 32 ? ~0 : (1 << UInt32(n)) &- 1 }
        for c in stride(from: 0, to: channels, by: 32) {
            let width = min(32, channels - c), blockMask = firstBytes(width * pixelsPerStep)
            /// Tap `t`'s weights for the 32 bytes of a step.
            @inline(__always) func tapWeights(_ t: Int) -> __m512i {
                let at = filter + t * channels + c
                switch pixelsPerStep {
                case 4: return _mm512_cvtepi8_epi16(_mm256_set1_epi64x(UnsafeRawPointer(at).loadUnaligned(as: Int64.self)))
                case 2: return _mm512_cvtepi8_epi16(_mm256_broadcastsi128_si256(UnsafeRawPointer(at).loadUnaligned(as: __m128i.self)))
                default: return _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(blockMask, at))
                }
            }
            var zeroPointSums = (zero, zero)
            for j in 0..<pairs {
                let a = tapWeights(2 * j), b = 2 * j + 1 < taps ? tapWeights(2 * j + 1) : zero
                weights[2 * j] = _mm512_unpacklo_epi16(a, b)
                weights[2 * j + 1] = _mm512_unpackhi_epi16(a, b)
                zeroPointSums = (minnow_dpwssd512(zeroPointSums.0, zeroPoints, weights[2 * j]),
                                 minnow_dpwssd512(zeroPointSums.1, zeroPoints, weights[2 * j + 1]))
            }
            /// A per-channel array's values for the 32 bytes of a step, in the two accumulators' lane order.
            @inline(__always) func inLaneOrder(_ q: UnsafePointer<Int32>) -> (__m512i, __m512i) {
                let first: __m512i, second: __m512i
                switch pixelsPerStep {
                case 4: first = _mm512_broadcast_i64x4(UnsafeRawPointer(q).loadUnaligned(as: __m256i.self)); second = first
                case 2: first = _mm512_loadu_si512(q); second = first
                default:
                    first = _mm512_maskz_loadu_epi32(UInt16(truncatingIfNeeded: blockMask), q + c)
                    second = _mm512_maskz_loadu_epi32(UInt16(truncatingIfNeeded: blockMask >> 16), q + c + 16)
                }
                return (_mm512_permutex2var_epi32(first, lowLanes, second), _mm512_permutex2var_epi32(first, highLanes, second))
            }
            let multipliers = inLaneOrder(requantization.multipliers), shifts = inLaneOrder(requantization.shifts)
            let biases = bias.map(inLaneOrder) ?? (zero, zero)
            let start = (_mm512_sub_epi32(biases.0, zeroPointSums.0), _mm512_sub_epi32(biases.1, zeroPointSums.1))
            @inline(__always) func requantize(_ multipliers: __m512i, _ shifts: __m512i) -> Requantize16AVX512 {
                Requantize16AVX512(multiplier: multipliers, shift: shifts, outputZeroPoint: p.outputZeroPoint,
                                   min: p.activationMin, max: p.activationMax)
            }
            let requantize = (requantize(multipliers.0, shifts.0), requantize(multipliers.1, shifts.1))
            for oy in 0..<p.output.height {
                let y0 = oy &* p.strideH &- p.padTop
                let rowInside = y0 >= 0 && y0 &+ lastRow < p.input.height
                var ox = 0
                while ox < p.output.width {
                    let pixels = min(pixelsPerStep, p.output.width &- ox)
                    let mask = blockMask & firstBytes(pixels &* width)
                    let x0 = ox &* p.strideW &- p.padLeft
                    var sums = start
                    @inline(__always) func accumulate(_ j: Int, _ a: __m256i, _ b: __m256i) {
                        let x = _mm512_cvtepi8_epi16(a), y = _mm512_cvtepi8_epi16(b)
                        sums = (minnow_dpwssd512(sums.0, _mm512_unpacklo_epi16(x, y), weights[2 * j]),
                                minnow_dpwssd512(sums.1, _mm512_unpackhi_epi16(x, y), weights[2 * j + 1]))
                    }
                    if rowInside && x0 >= 0 && x0 &+ (pixels &- 1) &+ lastColumn < p.input.width {
                        let window = input + ((y0 &* p.input.width &+ x0) &* channels &+ c)
                        for j in 0..<pairs {
                            accumulate(j, _mm256_maskz_loadu_epi8(mask, window + tapOffset[2 &* j]),
                                       _mm256_maskz_loadu_epi8(mask, window + tapOffset[2 &* j &+ 1]))
                        }
                    } else {
                        /// Tap `t`'s input bytes, the zero point's for pixels whose tap is in the padding.
                        @inline(__always) func tapBytes(_ t: Int) -> __m256i {
                            let iy = y0 &+ tapRow[t], ix = x0 &+ tapColumn[t]  // the step's first pixel's
                            guard iy >= 0 && iy < p.input.height else { return zeroPointBytes }
                            let first = max(0, 0 &- ix), last = min(pixels, p.input.width &- ix)  // its pixels inside
                            guard first < last else { return zeroPointBytes }
                            let inside = mask & firstBytes(last &* width) & ~firstBytes(first &* width)
                            let bytes = _mm256_maskz_loadu_epi8(inside, input + ((iy &* p.input.width &+ ix) &* channels &+ c))
                            return _mm256_mask_blend_epi8(inside, zeroPointBytes, bytes)
                        }
                        for j in 0..<pairs { accumulate(j, tapBytes(2 &* j), tapBytes(2 &* j &+ 1)) }
                    }
                    let inOrder = _mm512_packs_epi32(requantize.0.clamped(sums.0), requantize.1.clamped(sums.1))
                    _mm256_mask_storeu_epi8(output + ((oy &* p.output.width &+ ox) &* channels &+ c), mask, _mm512_cvtsepi16_epi8(inOrder))
                    ox &+= pixels
                }
            }
        }
    }
    }
    }
    }
}

/// The 3 × 3 depthwise convolution with depth multiplier 1, horizontal stride 1 or 2 and
/// dilation 1 (any vertical stride and dilation), 32 channels at a time (the last block masked),
/// each input column widened once per output row instead of once per tap (at stride 2, the
/// window's right column is the next one's left): `depthwise32AVX512VNNI`'s arithmetic with
/// the taps paired vertically. For output pixel x the window's columns are x − padLeft + 0, 1, 2;
/// each column's three rows become two interleaved pairs (rows 0 and 1, row 2 and zero: four
/// registers, `column`) and serve three pixels in turn, kept in registers as the window slides.
/// Per pixel at stride 1: one new column (three loads, three widenings, four unpacks) and twelve vpdpwssd,
/// instead of five tap pairs of two loads, two widenings, two unpacks and two vpdpwssd. Padding
/// rows and columns read the zero point's bytes (cancelled by the `bias − zp·Σw` start).
/// Example: all of MobileNetV2's depthwise convolutions.
func depthwise3x3RowsAVX512VNNI(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
                                requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>) {
    let channels = p.output.channels
    let zero = _mm512_setzero_si512()
    let zeroPoints = _mm512_set1_epi16(Int16(truncatingIfNeeded: p.inputZeroPoint))
    let zeroPointBytes = _mm256_set1_epi8(Int8(truncatingIfNeeded: p.inputZeroPoint))
    let lowLanes = _mm512_set_epi32(27, 26, 25, 24, 19, 18, 17, 16, 11, 10, 9, 8, 3, 2, 1, 0)
    let highLanes = _mm512_set_epi32(31, 30, 29, 28, 23, 22, 21, 20, 15, 14, 13, 12, 7, 6, 5, 4)
    typealias Column = (__m512i, __m512i, __m512i, __m512i)  // rows 0·1 low/high lanes, row 2·zero low/high
    for c in stride(from: 0, to: channels, by: 32) {
        let width = min(32, channels - c)
        let mask: UInt32 = width == 32 ? ~0 : (1 << UInt32(width)) &- 1
        /// Three rows' 32 bytes as a column's two interleaved pairs.
        @inline(__always) func interleaved(_ a: __m256i, _ b: __m256i, _ d: __m256i) -> Column {
            let x = _mm512_cvtepi8_epi16(a), y = _mm512_cvtepi8_epi16(b), z = _mm512_cvtepi8_epi16(d)
            return (_mm512_unpacklo_epi16(x, y), _mm512_unpackhi_epi16(x, y), _mm512_unpacklo_epi16(z, zero), _mm512_unpackhi_epi16(z, zero))
        }
        @inline(__always) func weights(_ kx: Int) -> Column {
            @inline(__always) func tap(_ ky: Int) -> __m256i { _mm256_maskz_loadu_epi8(mask, filter + (ky * 3 + kx) * channels + c) }
            return interleaved(tap(0), tap(1), tap(2))
        }
        let w0 = weights(0), w1 = weights(1), w2 = weights(2)
        /// `sums` plus one window column's products: its two row pairs against kernel column `w`'s.
        @inline(__always) func accumulate(_ sums: inout (__m512i, __m512i), _ x: Column, _ w: Column) {
            sums = (minnow_dpwssd512(minnow_dpwssd512(sums.0, x.0, w.0), x.2, w.2),
                    minnow_dpwssd512(minnow_dpwssd512(sums.1, x.1, w.1), x.3, w.3))
        }
        var zeroPointSums = (zero, zero)
        let zeroPointColumn = (zeroPoints, zeroPoints, zeroPoints, zeroPoints)
        accumulate(&zeroPointSums, zeroPointColumn, w0)
        accumulate(&zeroPointSums, zeroPointColumn, w1)
        accumulate(&zeroPointSums, zeroPointColumn, w2)
        /// Channels `c ..< c + width` of a per-channel array, in the two accumulators' lane order.
        @inline(__always) func inLaneOrder(_ q: UnsafePointer<Int32>) -> (__m512i, __m512i) {
            let first = _mm512_maskz_loadu_epi32(UInt16(truncatingIfNeeded: mask), q + c)
            let second = _mm512_maskz_loadu_epi32(UInt16(truncatingIfNeeded: mask >> 16), q + c + 16)
            return (_mm512_permutex2var_epi32(first, lowLanes, second), _mm512_permutex2var_epi32(first, highLanes, second))
        }
        let multipliers = inLaneOrder(requantization.multipliers), shifts = inLaneOrder(requantization.shifts)
        let biases = bias.map(inLaneOrder) ?? (zero, zero)
        let start = (_mm512_sub_epi32(biases.0, zeroPointSums.0), _mm512_sub_epi32(biases.1, zeroPointSums.1))
        let requantize = (Requantize16AVX512(multiplier: multipliers.0, shift: shifts.0, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax),
                          Requantize16AVX512(multiplier: multipliers.1, shift: shifts.1, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax))
        for oy in 0..<p.output.height {
            /// Kernel row `ky`'s input row (its channel block), nil in the padding.
            @inline(__always) func inputRow(_ ky: Int) -> UnsafePointer<Int8>? {
                let iy = oy &* p.strideH &- p.padTop &+ ky &* p.dilationH
                return iy >= 0 && iy < p.input.height ? input + (iy &* p.input.width &* channels &+ c) : nil
            }
            let rows = (inputRow(0), inputRow(1), inputRow(2))
            /// Input column `ix` of the three rows, zero-point bytes outside the image.
            @inline(__always) func column(_ ix: Int) -> Column {
                let inside = ix >= 0 && ix < p.input.width
                @inline(__always) func bytes(_ row: UnsafePointer<Int8>?) -> __m256i {
                    guard inside, let row else { return zeroPointBytes }
                    return _mm256_maskz_loadu_epi8(mask, row + ix &* channels)
                }
                return interleaved(bytes(rows.0), bytes(rows.1), bytes(rows.2))
            }
            var left = column(0 &- p.padLeft), middle = column(1 &- p.padLeft)
            for ox in 0..<p.output.width {
                let right = column(ox &* p.strideW &+ 2 &- p.padLeft)
                var sums = start
                accumulate(&sums, left, w0)
                accumulate(&sums, middle, w1)
                accumulate(&sums, right, w2)
                let inOrder = _mm512_packs_epi32(requantize.0.clamped(sums.0), requantize.1.clamped(sums.1))
                _mm256_mask_storeu_epi8(output + ((oy &* p.output.width &+ ox) &* channels &+ c), mask, _mm512_cvtsepi16_epi8(inOrder))
                if p.strideW == 1 {
                    (left, middle) = (middle, right)
                } else {  // stride 2: the right column is the next window's left one
                    (left, middle) = (right, column((ox &+ 1) &* 2 &+ 1 &- p.padLeft))
                }
            }
        }
    }
}
#endif
