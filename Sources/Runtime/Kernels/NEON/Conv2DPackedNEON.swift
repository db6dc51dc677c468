#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `conv2d_s8` with AArch64 NEON and no dot product (a Cortex-A72 or A53, Raspberry Pi 4 class)
/// over a filter in the `convQuads8` layout (`packConvQuads8`; a conv op's input 5): the same
/// contract and bytes as the reference, in tiles of four output pixels of a row by one block of
/// eight output channels (XNNPACK's `mlal` families on the same layout).
///
/// Each input quad is broadcast to every 32-bit lane (LD1R); SMULL multiplies it by the low
/// eight bytes of a 16-byte half of a weight quad (two channels' four weights) into eight int16
/// products, SMULL2 by the high eight (two more channels); SMLAL/SMLAL2 add the next quad's
/// products to the same lanes, and SADALP folds each int16 pair into int32 running sums
/// (`(c0, c0, c1, c1)`, reduced once per tile by ADDP). Exact: the raw inputs are in [−128, 127]
/// and a packed filter holds no −128 (`convQuads8IsExactCopy`), so two products add up to at most
/// 2 · 128 · 127 = 32,512 in an int16 lane. As in the SDOT kernel, the raw inputs go in and
/// `zp · Σw` is taken off the bias once per block, so the padding reads the quad `zp`.
/// Example: x = 5, zp = −3, w = 2 → 5·2 − (−3)·2 = 16 = (5 + 3)·2. Stems (one group of 1–3
/// channels) run as a GEMM over each pixel's patch (`conv2dPackedStemNEON`).
public func conv2d_s8_packed_neon(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                  bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                  output: UnsafeMutablePointer<Int8>) {
    if let stem = stemRowsNEON(p) {
        return stemRowsNEON(p, stem, input: input, filter: packed, bias: bias, requantization: requantization, output: output)
    }
    if p.takesStemPath {
        return conv2dPackedStemNEON(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output)
    }
    let cinPerGroup = p.input.channels / p.groups, coutPerGroup = p.output.channels / p.groups
    let layout = ConvQuads8Layout(p)
    let indirect = IndirectTiles(p, readBytes: 4 * layout.quads)
    if indirect.fits {
        return indirectBlocksNEON(p, indirect, input: input, filter: packed, bias: bias, requantization: requantization, output: output)
    }
    let zeroPointByte = UInt32(UInt8(truncatingIfNeeded: p.inputZeroPoint))
    let reader = QuadReaderNEON(quads: layout.quads, fullQuads: cinPerGroup / 4, groupChannels: cinPerGroup,
                                inputEnd: input + p.input.height * p.input.width * p.input.channels,
                                paddingQuad: vreinterpretq_s8_u32(vdupq_n_u32(zeroPointByte &* 0x0101_0101)))
    for group in 0..<p.groups {
        for block in 0..<layout.blocksPerGroup {
            let w = packed + (group * layout.blocksPerGroup + block) * layout.blockBytes
            let o = group * coutPerGroup + block * 8, rows = min(8, coutPerGroup - block * 8)
            let (startLow, startHigh) = blockStartNEON(w, quadCount: layout.taps * layout.quads, inputZeroPoint: p.inputZeroPoint,
                                                       bias: bias, channel: o, rows: rows)
            let requantize = Requantize8NEON(requantization, channel: o, rows: rows, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax)
            if requantize.shiftsOnlyRight {
                packedBlockNEON(p, input: input, weights: w, group: group, channel: o, rows: rows, starts: (startLow, startHigh),
                                requantize, reader: reader, output: output, RightShiftsOnly.self)
            } else {
                packedBlockNEON(p, input: input, weights: w, group: group, channel: o, rows: rows, starts: (startLow, startHigh),
                                requantize, reader: reader, output: output, AnyShifts.self)
            }
        }
    }
}

/// One block of eight output channels `o ..< o + rows` of `conv2d_s8_packed_neon` over the whole
/// image, four pixels a tile, compiled once per `ShiftRuleNEON` so that no pixel tests the shifts.
@inline(never)
func packedBlockNEON<Rule: ShiftRuleNEON>(_ p: Conv2DParams, input: UnsafePointer<Int8>, weights w: UnsafePointer<Int8>, group: Int,
                                          channel o: Int, rows: Int, starts: (int32x4_t, int32x4_t), _ requantize: Requantize8NEON,
                                          reader: QuadReaderNEON, output: UnsafeMutablePointer<Int8>, _: Rule.Type) {
    let cinPerGroup = p.input.channels / p.groups, c = p.output.channels
    let tapBytes = ConvQuads8Layout(p).tapBytes
    let (startLow, startHigh) = starts
    if p.isPointwise {  // the image as one run of pixels
        let count = p.output.height &* p.output.width
        for first in stride(from: 0, to: count, by: 4) {
            let pixels = min(4, count &- first)
            let (s0, s1, s2, s3) = p.runSources(input, first: first, pixels: pixels, channelOffset: group &* cinPerGroup)
            var tile = Tile4x8NEON()
            tile.addTap(s0, s1, s2, s3, w, reader)
            tile.store(requantize, startLow, startHigh, rows: rows, to: output + (first &* c &+ o), pixelStride: c, pixels: pixels,
                       rightOnly: Rule.rightOnly)
        }
        return
    }
    for oy in 0..<p.output.height {
        for ox in stride(from: 0, to: p.output.width, by: 4) {
            let pixels = min(4, p.output.width &- ox)
            var tile = Tile4x8NEON()
            for ky in 0..<p.kernelH {
                for kx in 0..<p.kernelW {
                    let (s0, s1, s2, s3) = p.tapSources(input, oy: oy, ox: ox, pixels: pixels, ky: ky, kx: kx,
                                                        channelOffset: group &* cinPerGroup)
                    tile.addTap(s0, s1, s2, s3, w + (ky &* p.kernelW &+ kx) &* tapBytes, reader)
                }
            }
            tile.store(requantize, startLow, startHigh, rows: rows, to: output + ((oy &* p.output.width &+ ox) &* c &+ o),
                       pixelStride: c, pixels: pixels, rightOnly: Rule.rightOnly)
        }
    }
}

/// The indirect path of `conv2d_s8_packed_neon`: every block of eight channels runs
/// `igemm4x8NEON` over the tap pointers of `IndirectTiles` (quads read from each pixel's group
/// channels, four bytes each).
func indirectBlocksNEON(_ p: Conv2DParams, _ indirect: IndirectTiles, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                        bias: UnsafePointer<Int32>?, requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>) {
    let layout = ConvQuads8Layout(p)
    let cinPerGroup = p.input.channels / p.groups, coutPerGroup = p.output.channels / p.groups
    let run = input + (indirect.runStart ?? 0) * p.input.channels
    indirect.forEachRun(p, input: input) { tiles, pointers in
        for group in 0..<p.groups {
            for block in 0..<layout.blocksPerGroup {
                let w = packed + (group * layout.blocksPerGroup + block) * layout.blockBytes
                let o = group * coutPerGroup + block * 8, rows = min(8, coutPerGroup - block * 8)
                let starts = blockStartNEON(w, quadCount: layout.taps * layout.quads, inputZeroPoint: p.inputZeroPoint, bias: bias,
                                            channel: o, rows: rows)
                let requantize = Requantize8NEON(requantization, channel: o, rows: rows, outputZeroPoint: p.outputZeroPoint,
                                                 min: p.activationMin, max: p.activationMax)
                let source = IndirectSourceNEON(pointers: pointers, run: run, runStride: p.input.channels, taps: indirect.taps,
                                                channelOffset: group * cinPerGroup)
                if requantize.shiftsOnlyRight {
                    igemm4x8NEON(source, tiles: tiles, indirect.geometry, weights: w, tapBytes: layout.tapBytes, quads: layout.quads,
                                 starts: starts, requantize, rows: rows, to: output + o, pixelStride: p.output.channels, RightShiftsOnly.self)
                } else {
                    igemm4x8NEON(source, tiles: tiles, indirect.geometry, weights: w, tapBytes: layout.tapBytes, quads: layout.quads,
                                 starts: starts, requantize, rows: rows, to: output + o, pixelStride: p.output.channels, AnyShifts.self)
                }
            }
        }
    }
}

/// The row GEMM of a stem where it applies and multiplies no more quads than the patch GEMM
/// (without SDOT every quad costs a broadcast and two multiplies a pixel: a 1-channel 3 × 3 stem
/// is 3 quads either way, a 3 × 3 RGB one 9 by rows against 7 by patch, which then stays).
func stemRowsNEON(_ p: Conv2DParams) -> StemRows? {
    guard let stem = StemRows(p), p.kernelH * stem.quads <= (p.kernelH * p.kernelW * p.input.channels + 3) / 4 else { return nil }
    return stem
}

/// A stem through `StemRows`: per output row, each block of eight channels through `igemm4x8NEON`.
func stemRowsNEON(_ p: Conv2DParams, _ stem: StemRows, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                  bias: UnsafePointer<Int32>?, requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>) {
    let geometry = TileGeometry(pointwise: false, width: p.output.width, pixelCount: p.output.height * p.output.width)
    stem.forEachRow(p, input: input, filter: packed, bias: bias, requantization: requantization) { weights, tiles, pointers, s, r in
        for b in 0..<p.output.channels / 8 {
            let w = weights + b * stem.blockBytes, starts = (s[2 * b], s[2 * b + 1]), requantize = r[b]
            let source = IndirectSourceNEON(pointers: pointers, run: input, runStride: 0, taps: p.kernelH, channelOffset: 0)
            if requantize.shiftsOnlyRight {
                igemm4x8NEON(source, tiles: tiles, geometry, weights: w, tapBytes: stem.tapBytes, quads: stem.quads, starts: starts,
                             requantize, rows: 8, to: output + 8 * b, pixelStride: p.output.channels, RightShiftsOnly.self)
            } else {
                igemm4x8NEON(source, tiles: tiles, geometry, weights: w, tapBytes: stem.tapBytes, quads: stem.quads, starts: starts,
                             requantize, rows: 8, to: output + 8 * b, pixelStride: p.output.channels, AnyShifts.self)
            }
        }
    }
}

/// Where `igemm4x8NEON` reads its tiles' pixels: the tap pointers from `pointers` on (tile by
/// tile, tap by tap, four pixels), or with no table a pointwise run, tile `t` reading pixels
/// `4t …` of `run`, `runStride` bytes apart; `channelOffset` on to the group's channels.
struct IndirectSourceNEON {
    let pointers: UnsafePointer<UnsafePointer<Int8>>?
    let run: UnsafePointer<Int8>, runStride: Int, taps: Int, channelOffset: Int
}

/// Tiles `tiles` of four output pixels by one block of eight channels (`rows` of them stored)
/// over `source`'s taps: per tap the pixels' quads broadcast (LD1R) and multiplied two at a time
/// as `Tile4x8NEON.add` does, the sums started at `starts` and requantized through `requantize`.
/// Out of line and compiled once per `ShiftRuleNEON`, so the tile loop tests nothing per pixel.
/// Example: 3 × 3 taps of 32 channels: 9 × 4 quad pairs a tile.
@inline(never)
func igemm4x8NEON<Rule: ShiftRuleNEON>(_ source: IndirectSourceNEON, tiles: Range<Int>, _ geometry: TileGeometry,
                                       weights: UnsafePointer<Int8>, tapBytes: Int, quads: Int, starts: (int32x4_t, int32x4_t),
                                       _ requantize: Requantize8NEON, rows: Int, to out: UnsafeMutablePointer<Int8>, pixelStride c: Int,
                                       _: Rule.Type) {
    let g = source.channelOffset
    var at = source.pointers
    for t in tiles {
        let (first, pixels) = geometry.pixels(ofTile: t)
        var tile = Tile4x8NEON()
        if let table = at {
            var w = weights
            for k in 0..<source.taps {
                tile.addQuads(table[4 &* k] + g, table[4 &* k &+ 1] + g, table[4 &* k &+ 2] + g, table[4 &* k &+ 3] + g, w, quads: quads)
                w += tapBytes
            }
            at = table + 4 &* source.taps
        } else {
            let last = pixels &- 1, s0 = source.run + (first &* source.runStride &+ g)
            tile.addQuads(s0, s0 + min(1, last) &* source.runStride, s0 + min(2, last) &* source.runStride,
                          s0 + min(3, last) &* source.runStride, weights, quads: quads)
        }
        tile.store(requantize, starts.0, starts.1, rows: rows, to: out + first &* c, pixelStride: c, pixels: pixels,
                   rightOnly: Rule.rightOnly)
    }
}

/// The starting sums of the `convQuads8` block at `w` (`quadCount` quads of 32 bytes), channels
/// `o ..< o + rows` (0–3, 4–7): `bias − zp·Σw`, each channel's four bytes of a quad summed by two
/// pairwise widening adds (SADDLP, SADALP). Example: weights 1, 2, 3, 4 of one quad, zp −3, bias
/// 5: 5 − (−3)·10 = 35.
@inlinable @inline(__always)
func blockStartNEON(_ w: UnsafePointer<Int8>, quadCount: Int, inputZeroPoint: Int32, bias: UnsafePointer<Int32>?,
                    channel o: Int, rows: Int) -> (int32x4_t, int32x4_t) {
    var sumLow = vdupq_n_s32(0), sumHigh = vdupq_n_s32(0)
    for k in 0..<quadCount {
        sumLow = vpadalq_s16(sumLow, vpaddlq_s8(load16NEON(w + 32 * k)))
        sumHigh = vpadalq_s16(sumHigh, vpaddlq_s8(load16NEON(w + 32 * k + 16)))
    }
    var b = SIMD8<Int32>(repeating: 0)
    if let bias { for r in 0..<rows { b[r] = bias[o + r] } }
    let zeroPoint = vdupq_n_s32(inputZeroPoint)
    return (vsubq_s32(b.lowHalf, vmulq_s32(sumLow, zeroPoint)), vsubq_s32(b.highHalf, vmulq_s32(sumHigh, zeroPoint)))
}

/// How the packed NEON kernel reads a pixel's group channels at a tap: `quads` quads, of which
/// the first `fullQuads` lie wholly inside the group's `groupChannels`.
struct QuadReaderNEON {
    let quads: Int, fullQuads: Int, groupChannels: Int
    let inputEnd: UnsafePointer<Int8>
    /// The quad `zp` in every lane: a pixel in the padding.
    let paddingQuad: int8x16_t

    /// Quad `j` of the pixel at `src` in every lane; the padding quad for nil. Where the group's
    /// channels end inside the quad, the bytes past them meet zero weights, so four bytes are read
    /// at once unless that would pass the end of the input.
    @inline(__always)
    func quad(_ src: UnsafePointer<Int8>?, _ j: Int) -> int8x16_t {
        guard let src else { return paddingQuad }
        if j < fullQuads || src + (4 &* j &+ 4) <= inputEnd { return dupQuadNEON(src + 4 &* j) }
        var bytes: UInt32 = 0
        for e in 0..<(groupChannels &- 4 &* j) { bytes |= UInt32(UInt8(bitPattern: src[4 &* j &+ e])) << (8 &* e) }
        return vreinterpretq_s8_u32(vdupq_n_u32(bytes))
    }
}

/// The four bytes at `at` in every 32-bit lane (LD1R).
@inline(__always)
func dupQuadNEON(_ at: UnsafePointer<Int8>) -> int8x16_t {
    vreinterpretq_s8_u32(vdupq_n_u32(UnsafeRawPointer(at).loadUnaligned(as: UInt32.self)))
}

extension Tile4x8NEON {
    /// One tap: the four pixels' group channels at `s0`–`s3` (nil in the padding) against the
    /// tap's weights at `t`, two quads a step.
    @_transparent
    mutating func addTap(_ s0: UnsafePointer<Int8>?, _ s1: UnsafePointer<Int8>?, _ s2: UnsafePointer<Int8>?, _ s3: UnsafePointer<Int8>?,
                         _ t: UnsafePointer<Int8>, _ r: QuadReaderNEON) {
        var j = 0
        if let s0, let s1, let s2, let s3 {
            while j &+ 2 <= r.fullQuads {
                add(dupQuadNEON(s0 + 4 &* j), dupQuadNEON(s1 + 4 &* j), dupQuadNEON(s2 + 4 &* j), dupQuadNEON(s3 + 4 &* j), t + 32 &* j,
                    dupQuadNEON(s0 + (4 &* j &+ 4)), dupQuadNEON(s1 + (4 &* j &+ 4)), dupQuadNEON(s2 + (4 &* j &+ 4)),
                    dupQuadNEON(s3 + (4 &* j &+ 4)), t + (32 &* j &+ 32))
                j &+= 2
            }
        }
        while j &+ 2 <= r.quads {
            add(r.quad(s0, j), r.quad(s1, j), r.quad(s2, j), r.quad(s3, j), t + 32 &* j,
                r.quad(s0, j &+ 1), r.quad(s1, j &+ 1), r.quad(s2, j &+ 1), r.quad(s3, j &+ 1), t + (32 &* j &+ 32))
            j &+= 2
        }
        if j < r.quads { add(r.quad(s0, j), r.quad(s1, j), r.quad(s2, j), r.quad(s3, j), t + 32 &* j) }
    }

    /// One tap's `quads` quads of the four pixels at `s0`–`s3` (all inside memory) against the
    /// tap's weights at `t`, two quads a step.
    @_transparent
    mutating func addQuads(_ s0: UnsafePointer<Int8>, _ s1: UnsafePointer<Int8>, _ s2: UnsafePointer<Int8>, _ s3: UnsafePointer<Int8>,
                           _ t: UnsafePointer<Int8>, quads: Int) {
        var j = 0
        while j &+ 2 <= quads {
            add(dupQuadNEON(s0 + 4 &* j), dupQuadNEON(s1 + 4 &* j), dupQuadNEON(s2 + 4 &* j), dupQuadNEON(s3 + 4 &* j), t + 32 &* j,
                dupQuadNEON(s0 + (4 &* j &+ 4)), dupQuadNEON(s1 + (4 &* j &+ 4)), dupQuadNEON(s2 + (4 &* j &+ 4)),
                dupQuadNEON(s3 + (4 &* j &+ 4)), t + (32 &* j &+ 32))
            j &+= 2
        }
        if j < quads { add(dupQuadNEON(s0 + 4 &* j), dupQuadNEON(s1 + 4 &* j), dupQuadNEON(s2 + 4 &* j), dupQuadNEON(s3 + 4 &* j), t + 32 &* j) }
    }

    /// The first `pixels` pixels' sums (pairs reduced by ADDP, `startLow`/`startHigh` added)
    /// requantized to `out`, pixel k at `k · pixelStride`.
    @_transparent
    func store(_ r: Requantize8NEON, _ startLow: int32x4_t, _ startHigh: int32x4_t, rows: Int, to out: UnsafeMutablePointer<Int8>,
               pixelStride c: Int, pixels: Int, rightOnly: Bool = false) {
        r.store(vaddq_s32(vpaddq_s32(a0, b0), startLow), vaddq_s32(vpaddq_s32(c0, d0), startHigh), rows: rows, to: out, rightOnly: rightOnly)
        if pixels > 1 {
            r.store(vaddq_s32(vpaddq_s32(a1, b1), startLow), vaddq_s32(vpaddq_s32(c1, d1), startHigh), rows: rows, to: out + c,
                    rightOnly: rightOnly)
        }
        if pixels > 2 {
            r.store(vaddq_s32(vpaddq_s32(a2, b2), startLow), vaddq_s32(vpaddq_s32(c2, d2), startHigh), rows: rows, to: out + 2 &* c,
                    rightOnly: rightOnly)
        }
        if pixels > 3 {
            r.store(vaddq_s32(vpaddq_s32(a3, b3), startLow), vaddq_s32(vpaddq_s32(c3, d3), startHigh), rows: rows, to: out + 3 &* c,
                    rightOnly: rightOnly)
        }
    }
}

/// The packed convolution of a stem (`Conv2DParams.takesStemPath`) without the dot product, as
/// one GEMM over each output pixel's whole KH·KW·Cin patch (`conv2dPackedStemNEONDot`'s
/// structure): the filter rewritten into patch quads once (`stemPatchWeights`, an 8 KiB stack
/// local), each tile of four pixels' patches gathered once (`gatherPatches`) for all blocks, pairs
/// of patch quads through `Tile4x8NEON`, each block's sums starting from `bias − zp·Σw`.
/// Example: a 3×3 RGB stem is 27 bytes, 7 quads per pixel instead of 9 mostly empty ones.
func conv2dPackedStemNEON(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                          bias: UnsafePointer<Int32>?, requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>) {
    let quads = (p.kernelH * p.kernelW * p.input.channels + 3) / 4, blocks = (p.output.channels + 7) / 8
    var weightStore = InlineArray<8192, Int8>(repeating: 0)
    var startStore = InlineArray<64, Int32>(repeating: 0)
    var patchStore = InlineArray<608, Int8>(repeating: 0)  // 4 · patchStride + 32
    var requantizerStore = Requantize8NEON.blocks(of: p, requantization)
    withUnsafeMutableBytes(of: &weightStore) { weightBytes in
    withUnsafeMutableBytes(of: &startStore) { startBytes in
    withUnsafeMutableBytes(of: &patchStore) { patchBytes in
    withUnsafeMutableBytes(of: &requantizerStore) { requantizerBytes in
        let weights = weightBytes.baseAddress!.assumingMemoryBound(to: Int8.self)
        let starts = startBytes.baseAddress!.assumingMemoryBound(to: Int32.self)
        let patches = patchBytes.baseAddress!.assumingMemoryBound(to: Int8.self)
        let requantizers = requantizerBytes.baseAddress!.assumingMemoryBound(to: Requantize8NEON.self)
        stemPatchWeights(p, filter: packed, into: weights)
        for b in 0..<blocks {
            let (low, high) = blockStartNEON(weights + b * 1024, quadCount: quads, inputZeroPoint: p.inputZeroPoint, bias: bias,
                                             channel: 8 * b, rows: min(8, p.output.channels - 8 * b))
            UnsafeMutableRawPointer(starts + 8 * b).storeBytes(of: low, as: int32x4_t.self)
            UnsafeMutableRawPointer(starts + 8 * b + 4).storeBytes(of: high, as: int32x4_t.self)
        }
        // Each tile's patches are read as the tiles read pixels (every quad of the patch buffer
        // is whole: reads past a patch stay inside the buffer and meet zero weights).
        let reader = QuadReaderNEON(quads: quads, fullQuads: quads, groupChannels: 4 * quads, inputEnd: patches + 4 * patchStride + 32,
                                    paddingQuad: vdupq_n_s8(0))
        let c = p.output.channels
        for oy in 0..<p.output.height {
            for ox in stride(from: 0, to: p.output.width, by: 4) {
                let pixels = min(4, p.output.width &- ox)
                gatherPatches(p, input: input, oy: oy, ox: ox, pixels: pixels, into: patches)
                let out = output + (oy &* p.output.width &+ ox) &* c
                let s0 = UnsafePointer(patches), s1 = UnsafePointer(patches + patchStride)
                let s2 = UnsafePointer(patches + 2 &* patchStride), s3 = UnsafePointer(patches + 3 &* patchStride)
                for b in 0..<blocks {
                    var tile = Tile4x8NEON()
                    tile.addTap(s0, s1, s2, s3, weights + b &* 1024, reader)
                    let startLow = UnsafeRawPointer(starts + 8 &* b).loadUnaligned(as: int32x4_t.self)
                    let startHigh = UnsafeRawPointer(starts + (8 &* b &+ 4)).loadUnaligned(as: int32x4_t.self)
                    tile.store(requantizers[b], startLow, startHigh, rows: min(8, c &- 8 &* b), to: out + 8 &* b, pixelStride: c,
                               pixels: pixels)
                }
            }
        }
    }
    }
    }
    }
}

/// Sixteen bytes at `q`, any alignment.
@inlinable @inline(__always)
public func load16NEON(_ q: UnsafePointer<Int8>) -> int8x16_t { UnsafeRawPointer(q).loadUnaligned(as: int8x16_t.self) }

/// The running sums of four pixels (0–3) by eight channels, as SADALP leaves them: pixel k's
/// channels 0 and 1 in `ak` as `(c0, c0, c1, c1)`, 2–3 in `bk`, 4–5 in `ck`, 6–7 in `dk`.
struct Tile4x8NEON {
    var a0 = vdupq_n_s32(0), b0 = vdupq_n_s32(0), c0 = vdupq_n_s32(0), d0 = vdupq_n_s32(0)
    var a1 = vdupq_n_s32(0), b1 = vdupq_n_s32(0), c1 = vdupq_n_s32(0), d1 = vdupq_n_s32(0)
    var a2 = vdupq_n_s32(0), b2 = vdupq_n_s32(0), c2 = vdupq_n_s32(0), d2 = vdupq_n_s32(0)
    var a3 = vdupq_n_s32(0), b3 = vdupq_n_s32(0), c3 = vdupq_n_s32(0), d3 = vdupq_n_s32(0)

    /// Quad `x` of each pixel against the 32-byte weight quad at `w`, plus quad `y` against `v`.
    @_transparent
    mutating func add(_ x0: int8x16_t, _ x1: int8x16_t, _ x2: int8x16_t, _ x3: int8x16_t, _ w: UnsafePointer<Int8>,
                      _ y0: int8x16_t, _ y1: int8x16_t, _ y2: int8x16_t, _ y3: int8x16_t, _ v: UnsafePointer<Int8>) {
        let wl = load16NEON(w), wh = load16NEON(w + 16), vl = load16NEON(v), vh = load16NEON(v + 16)
        @inline(__always) func pixel(_ a: inout int32x4_t, _ b: inout int32x4_t, _ c: inout int32x4_t, _ d: inout int32x4_t,
                                     _ x: int8x16_t, _ y: int8x16_t) {
            a = vpadalq_s16(a, vmlal_s8(vmull_s8(vget_low_s8(wl), vget_low_s8(x)), vget_low_s8(vl), vget_low_s8(y)))
            b = vpadalq_s16(b, vmlal_high_s8(vmull_high_s8(wl, x), vl, y))
            c = vpadalq_s16(c, vmlal_s8(vmull_s8(vget_low_s8(wh), vget_low_s8(x)), vget_low_s8(vh), vget_low_s8(y)))
            d = vpadalq_s16(d, vmlal_high_s8(vmull_high_s8(wh, x), vh, y))
        }
        pixel(&a0, &b0, &c0, &d0, x0, y0)
        pixel(&a1, &b1, &c1, &d1, x1, y1)
        pixel(&a2, &b2, &c2, &d2, x2, y2)
        pixel(&a3, &b3, &c3, &d3, x3, y3)
    }

    /// Quad `x` of each pixel against the 32-byte weight quad at `w` alone (a tap's odd last quad).
    @_transparent
    mutating func add(_ x0: int8x16_t, _ x1: int8x16_t, _ x2: int8x16_t, _ x3: int8x16_t, _ w: UnsafePointer<Int8>) {
        let wl = load16NEON(w), wh = load16NEON(w + 16)
        @inline(__always) func pixel(_ a: inout int32x4_t, _ b: inout int32x4_t, _ c: inout int32x4_t, _ d: inout int32x4_t,
                                     _ x: int8x16_t) {
            a = vpadalq_s16(a, vmull_s8(vget_low_s8(wl), vget_low_s8(x)))
            b = vpadalq_s16(b, vmull_high_s8(wl, x))
            c = vpadalq_s16(c, vmull_s8(vget_low_s8(wh), vget_low_s8(x)))
            d = vpadalq_s16(d, vmull_high_s8(wh, x))
        }
        pixel(&a0, &b0, &c0, &d0, x0)
        pixel(&a1, &b1, &c1, &d1, x1)
        pixel(&a2, &b2, &c2, &d2, x2)
        pixel(&a3, &b3, &c3, &d3, x3)
    }
}
#endif
