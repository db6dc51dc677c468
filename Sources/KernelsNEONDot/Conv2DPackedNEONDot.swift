#if arch(arm64)
import _Builtin_intrinsics.arm.neon
import Runtime

/// `conv2d_s8` with the AArch64 dot-product extension (SDOT) over a filter in the `convQuads8`
/// layout (`packConvQuads8`; a conv op's input 5): the same contract and bytes as the reference,
/// eight output channels by four output pixels of a row at a time. This module is compiled with
/// +dotprod: only `KernelSet.neonDot` hands it out, once the CPU reports the extension.
///
/// SDOT multiplies four signed bytes by four signed bytes per 32-bit lane and adds the four
/// products to the lane exactly. The raw inputs go in, so `Σ (x − zp)·w = Σ x·w − zp·Σw`: the
/// second term is computed once per block with the same instruction (the quad `zp` against every
/// weight) and taken off the bias that starts every accumulator. A tap in the padding reads the
/// quad `zp`, which cancels exactly; channels past the group's end have zero weights. Sums wrap
/// in int32 as the reference's `&+=`. Example: x = 5, zp = −3, w = 2 → 5·2 − (−3)·2 = 16 = (5 + 3)·2.
/// Never emitted into client modules (Embedded Swift otherwise compiles every body it calls into
/// the caller's module): callers built without +dotprod must call this compiled copy.
@export(interface)
public func conv2d_s8_packed_neondot(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                     bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                     output: UnsafeMutablePointer<Int8>) {
    if p.takesStemPath {
        return conv2dPackedStemNEONDot(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output)
    }
    let cinPerGroup = p.input.channels / p.groups, coutPerGroup = p.output.channels / p.groups
    let layout = ConvQuads8Layout(p), quads = layout.quads, blocks = layout.blocksPerGroup
    let fullQuads = cinPerGroup / 4, blockBytes = layout.blockBytes
    let zeroPointByte = UInt32(UInt8(truncatingIfNeeded: p.inputZeroPoint))
    let paddingQuad = vreinterpretq_s8_u32(vdupq_n_u32(zeroPointByte &* 0x0101_0101))
    let inputEnd = input + p.input.height * p.input.width * p.input.channels

    /// Quad `j` of the pixel at `src` in every lane; the padding quad for nil. Where the group's
    /// channels end inside the quad, the bytes past them meet zero weights, so four bytes are read
    /// at once unless that would pass the end of the input.
    @inline(__always) func quad(_ src: UnsafePointer<Int8>?, _ j: Int) -> int8x16_t {
        guard let src else { return paddingQuad }
        if j < fullQuads || src + 4 * j + 4 <= inputEnd {
            return vreinterpretq_s8_u32(vdupq_n_u32(UnsafeRawPointer(src + 4 * j).loadUnaligned(as: UInt32.self)))
        }
        var bytes: UInt32 = 0
        for e in 0..<(cinPerGroup - 4 * j) { bytes |= UInt32(UInt8(bitPattern: src[4 * j + e])) << (8 * e) }
        return vreinterpretq_s8_u32(vdupq_n_u32(bytes))
    }
    @inline(__always) func load16(_ q: UnsafePointer<Int8>) -> int8x16_t { UnsafeRawPointer(q).loadUnaligned(as: int8x16_t.self) }

    for group in 0..<p.groups {
        for block in 0..<blocks {
            let w = packed + (group * blocks + block) * blockBytes
            let o = group * coutPerGroup + block * 8, rows = min(8, coutPerGroup - block * 8)
            // bias − zp·Σw per channel, channels 0–3 and 4–7.
            var startLow = vdupq_n_s32(0), startHigh = vdupq_n_s32(0)
            for k in 0..<(layout.taps * quads) {
                startLow = vdotq_s32(startLow, paddingQuad, load16(w + 32 * k))
                startHigh = vdotq_s32(startHigh, paddingQuad, load16(w + 32 * k + 16))
            }
            startLow = vnegq_s32(startLow)
            startHigh = vnegq_s32(startHigh)
            if let bias {
                if rows == 8 {
                    startLow = vaddq_s32(startLow, UnsafeRawPointer(bias + o).loadUnaligned(as: int32x4_t.self))
                    startHigh = vaddq_s32(startHigh, UnsafeRawPointer(bias + o + 4).loadUnaligned(as: int32x4_t.self))
                } else {
                    var b = SIMD8<Int32>(repeating: 0)
                    for r in 0..<rows { b[r] = bias[o + r] }
                    startLow = vaddq_s32(startLow, b.lowHalf)
                    startHigh = vaddq_s32(startHigh, b.highHalf)
                }
            }

            for oy in 0..<p.output.height {
                for ox in stride(from: 0, to: p.output.width, by: 4) {
                    let pixels = min(4, p.output.width - ox)
                    var l0 = startLow, l1 = startLow, l2 = startLow, l3 = startLow
                    var h0 = startHigh, h1 = startHigh, h2 = startHigh, h3 = startHigh
                    for ky in 0..<p.kernelH {
                        let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                        let rowInside = iy >= 0 && iy < p.input.height
                        let line = input + (rowInside ? iy * p.input.width * p.input.channels + group * cinPerGroup : 0)
                        for kx in 0..<p.kernelW {
                            /// Pixel `k`'s input at this tap; nil in the padding and past the row's end.
                            @inline(__always) func source(_ k: Int) -> UnsafePointer<Int8>? {
                                let ix = (ox + k) * p.strideW - p.padLeft + kx * p.dilationW
                                return rowInside && k < pixels && ix >= 0 && ix < p.input.width ? line + ix * p.input.channels : nil
                            }
                            let s0 = source(0), s1 = source(1), s2 = source(2), s3 = source(3)
                            let t = w + (ky * p.kernelW + kx) * layout.tapBytes
                            for j in 0..<quads {
                                let wl = load16(t + 32 * j), wh = load16(t + 32 * j + 16)
                                var x = quad(s0, j)
                                l0 = vdotq_s32(l0, x, wl); h0 = vdotq_s32(h0, x, wh)
                                x = quad(s1, j)
                                l1 = vdotq_s32(l1, x, wl); h1 = vdotq_s32(h1, x, wh)
                                x = quad(s2, j)
                                l2 = vdotq_s32(l2, x, wl); h2 = vdotq_s32(h2, x, wh)
                                x = quad(s3, j)
                                l3 = vdotq_s32(l3, x, wl); h3 = vdotq_s32(h3, x, wh)
                            }
                        }
                    }
                    let out = output + (oy * p.output.width + ox) * p.output.channels + o
                    let c = p.output.channels
                    storeRequantizedNEON(l0, h0, p, requantization, channel: o, rows: rows, to: out)
                    if pixels > 1 { storeRequantizedNEON(l1, h1, p, requantization, channel: o, rows: rows, to: out + c) }
                    if pixels > 2 { storeRequantizedNEON(l2, h2, p, requantization, channel: o, rows: rows, to: out + 2 * c) }
                    if pixels > 3 { storeRequantizedNEON(l3, h3, p, requantization, channel: o, rows: rows, to: out + 3 * c) }
                }
            }

        }
    }
}

/// A pixel's eight sums (bias included) requantized into channels `o ..< o + rows` at `out`
/// (`out` points at channel `o`).
@inline(__always)
func storeRequantizedNEON(_ low: int32x4_t, _ high: int32x4_t, _ p: Conv2DParams, _ requantization: ChannelRequantization,
                          channel o: Int, rows: Int, to out: UnsafeMutablePointer<Int8>) {
    let sums = SIMD8(lowHalf: low, highHalf: high)
    if rows == 8 {
        let a = requantize4NEON(sums.lowHalf, requantization, channel: o, outputZeroPoint: p.outputZeroPoint,
                                min: p.activationMin, max: p.activationMax)
        let b = requantize4NEON(sums.highHalf, requantization, channel: o + 4, outputZeroPoint: p.outputZeroPoint,
                                min: p.activationMin, max: p.activationMax)
        UnsafeMutableRawPointer(out).storeBytes(of: SIMD8(lowHalf: a, highHalf: b), as: SIMD8<Int8>.self)
    } else {
        for r in 0..<rows {
            out[r] = clampToInt8(requantization.apply(sums[r], channel: o + r) &+ p.outputZeroPoint, p.activationMin, p.activationMax)
        }
    }
}

/// The packed convolution of a stem (`Conv2DParams.takesStemPath`: one group of 1–3 channels)
/// with SDOT, as one GEMM over each output pixel's whole KH·KW·Cin patch instead of one quad per
/// tap with only Cin of its four bytes used: every block of eight channels' weights is rewritten
/// from the `convQuads8` filter as ⌈KH·KW·Cin / 4⌉ quads of the patch in (ky, kx, c) order (an
/// 8 KB stack local), each tile of four output pixels gathers its patches once (`gatherPatches`)
/// for all blocks, and each block's sums start from `bias − zp·Σw` (the padding reads the zero
/// point, which cancels). Example: a 3×3 RGB stem is 27 bytes, 7 quads per pixel instead of 9.
func conv2dPackedStemNEONDot(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                             bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                             output: UnsafeMutablePointer<Int8>) {
    let cin = p.input.channels, taps = p.kernelH * p.kernelW, quads = (taps * cin + 3) / 4
    let blocks = (p.output.channels + 7) / 8
    let zeroPointByte = UInt32(UInt8(truncatingIfNeeded: p.inputZeroPoint))
    let paddingQuad = vreinterpretq_s8_u32(vdupq_n_u32(zeroPointByte &* 0x0101_0101))
    @inline(__always) func load16(_ q: UnsafePointer<Int8>) -> int8x16_t { UnsafeRawPointer(q).loadUnaligned(as: int8x16_t.self) }
    // On the stack, zeroed: up to 8 blocks × 32 quads × 32 bytes of weights (zero past the patch),
    // each block's starting sums, and 4 pixels' patches.
    var weightStore = InlineArray<8192, Int8>(repeating: 0)
    var startStore = InlineArray<64, Int32>(repeating: 0)
    var patchStore = InlineArray<608, Int8>(repeating: 0)  // 4 · patchStride + 32
    withUnsafeMutableBytes(of: &weightStore) { weightBytes in
    withUnsafeMutableBytes(of: &startStore) { startBytes in
    withUnsafeMutableBytes(of: &patchStore) { patchBytes in
        let weights = weightBytes.baseAddress!.assumingMemoryBound(to: Int8.self)
        let starts = startBytes.baseAddress!.assumingMemoryBound(to: Int32.self)
        let patches = patchBytes.baseAddress!.assumingMemoryBound(to: Int8.self)
        for b in 0..<blocks {
            let rows = min(8, p.output.channels - 8 * b)
            // Block b's patch quad q, lane j, byte e holds patch position 4q + e = (tap, channel).
            for t in 0..<taps {
                for c in 0..<cin {
                    let position = t * cin + c, to = weights + (b * 32 + position / 4) * 32 + position % 4
                    for j in 0..<rows { to[4 * j] = packed[(b * taps + t) * 32 + 4 * j + c] }
                }
            }
            var low = vdupq_n_s32(0), high = vdupq_n_s32(0)
            for q in 0..<quads {
                low = vdotq_s32(low, paddingQuad, load16(weights + (b * 32 + q) * 32))
                high = vdotq_s32(high, paddingQuad, load16(weights + (b * 32 + q) * 32 + 16))
            }
            let sums = SIMD8(lowHalf: low, highHalf: high)
            for j in 0..<8 { starts[8 * b + j] = (j < rows ? bias?[8 * b + j] ?? 0 : 0) &- sums[j] }
        }
        for oy in 0..<p.output.height {
            for ox in stride(from: 0, to: p.output.width, by: 4) {
                let pixels = min(4, p.output.width - ox)
                gatherPatches(p, input: input, oy: oy, ox: ox, pixels: pixels, into: patches)
                @inline(__always) func quad(_ k: Int, _ q: Int) -> int8x16_t {
                    vreinterpretq_s8_u32(vdupq_n_u32(UnsafeRawPointer(patches + patchStride * k + 4 * q).loadUnaligned(as: UInt32.self)))
                }
                let out = output + (oy * p.output.width + ox) * p.output.channels
                for b in 0..<blocks {
                    let startLow = UnsafeRawPointer(starts + 8 * b).loadUnaligned(as: int32x4_t.self)
                    let startHigh = UnsafeRawPointer(starts + 8 * b + 4).loadUnaligned(as: int32x4_t.self)
                    var l0 = startLow, l1 = startLow, l2 = startLow, l3 = startLow
                    var h0 = startHigh, h1 = startHigh, h2 = startHigh, h3 = startHigh
                    for q in 0..<quads {
                        let wl = load16(weights + (b * 32 + q) * 32), wh = load16(weights + (b * 32 + q) * 32 + 16)
                        var x = quad(0, q)
                        l0 = vdotq_s32(l0, x, wl); h0 = vdotq_s32(h0, x, wh)
                        x = quad(1, q)
                        l1 = vdotq_s32(l1, x, wl); h1 = vdotq_s32(h1, x, wh)
                        x = quad(2, q)
                        l2 = vdotq_s32(l2, x, wl); h2 = vdotq_s32(h2, x, wh)
                        x = quad(3, q)
                        l3 = vdotq_s32(l3, x, wl); h3 = vdotq_s32(h3, x, wh)
                    }
                    let o = 8 * b, rows = min(8, p.output.channels - o), c = p.output.channels
                    storeRequantizedNEON(l0, h0, p, requantization, channel: o, rows: rows, to: out + o)
                    if pixels > 1 { storeRequantizedNEON(l1, h1, p, requantization, channel: o, rows: rows, to: out + c + o) }
                    if pixels > 2 { storeRequantizedNEON(l2, h2, p, requantization, channel: o, rows: rows, to: out + 2 * c + o) }
                    if pixels > 3 { storeRequantizedNEON(l3, h3, p, requantization, channel: o, rows: rows, to: out + 3 * c + o) }
                }
            }
        }
    }
    }
    }
}
#endif
