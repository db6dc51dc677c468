#if arch(arm64)
import _Builtin_intrinsics.arm.neon
import Runtime

/// `conv2d_s8` with the AArch64 dot-product extension (SDOT) over a filter in the `convQuads8`
/// layout (`packConvQuads8`; a conv op's input 5): the same contract and bytes as the reference,
/// in tiles of four output pixels of a row by sixteen output channels (two blocks of eight; a
/// group's odd last block alone), XNNPACK's 4 × 16 c4 shape. This module is compiled with
/// +dotprod: only `KernelSet.neonDot` hands it out, once the CPU reports the extension.
///
/// Per tap, each pixel's group channels are loaded sixteen bytes (four quads) at a time and each
/// quad is taken by lane: `sdot acc.4s, w.16b, x.4b[l]` multiplies four signed bytes of four
/// channels' weights (one 16-byte half of a `convQuads8` quad) by quad `l` of the pixel and adds
/// the four products to each channel's lane exactly: 16 SDOT per quad for 4 loads of weights.
/// The raw inputs go in, so `Σ (x − zp)·w = Σ x·w − zp·Σw`: the second term is computed once per
/// block with the same instruction and taken off the bias that starts every accumulator. A tap in
/// the padding reads the quad `zp`, which cancels exactly; channels past the group's end, inside
/// its last quad, have zero weights, and lanes past the last quad are never used. Sums wrap in
/// int32 as the reference's `&+=`; each block requantizes through constants prepared once
/// (`Requantize8NEON`). Example: x = 5, zp = −3, w = 2 → 5·2 − (−3)·2 = 16 = (5 + 3)·2.
/// Never emitted into client modules (Embedded Swift otherwise compiles every body it calls into
/// the caller's module): callers built without +dotprod must call this compiled copy.
@export(interface)
public func conv2d_s8_packed_neondot(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                     bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                     output: UnsafeMutablePointer<Int8>) {
    if p.takesStemPath {
        if stemRowsNEONDot(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output) { return }
        return conv2dPackedStemNEONDot(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output)
    }
    let layout = ConvQuads8Layout(p), blocks = layout.blocksPerGroup
    let indirect = IndirectTiles(p, readBytes: 16 * ((layout.quads + 3) / 4))
    for group in 0..<p.groups {
        var block = 0
        while block + 2 <= blocks {
            if !(indirect.fits && takesPairNEONDot(p, block: block)) {
                packedColumnNEONDot(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output,
                                    group: group, block: block, pair: true)
            }
            block += 2
        }
        if block < blocks {
            packedColumnNEONDot(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output,
                                group: group, block: block, pair: false)
        }
    }
    if indirect.fits {
        indirectPairsNEONDot(p, indirect, input: input, filter: packed, bias: bias, requantization: requantization, output: output)
    }
}

/// The indirect path of the packed SDOT convolution: every pair of whole blocks of eight channels
/// (`takesPairNEONDot`) runs `igemm4x16NEONDot` over the tap pointers of `IndirectTiles` (16-byte chunks
/// read from each pixel's group channels); the other blocks take the tile code of
/// `packedColumnNEONDot`.
func indirectPairsNEONDot(_ p: Conv2DParams, _ indirect: IndirectTiles, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                          bias: UnsafePointer<Int32>?, requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>) {
    let layout = ConvQuads8Layout(p), blocks = layout.blocksPerGroup
    let cinPerGroup = p.input.channels / p.groups, coutPerGroup = p.output.channels / p.groups
    let channels = p.input.channels, c = p.output.channels
    let zeroPointByte = UInt32(UInt8(truncatingIfNeeded: p.inputZeroPoint))
    let reader = ChunkReaderNEONDot(fullChunks: cinPerGroup / 16, tailLanes: layout.quads - 4 * (cinPerGroup / 16),
                                    inputEnd: input + p.input.height * p.input.width * channels,
                                    paddingQuad: vreinterpretq_s8_u32(vdupq_n_u32(zeroPointByte &* 0x0101_0101)))
    let run = input + (indirect.runStart ?? 0) * channels
    indirect.forEachRun(p, input: input) { tiles, pointers in
        for group in 0..<p.groups {
            var block = 0
            while block + 2 <= blocks {
                if takesPairNEONDot(p, block: block) {
                    let w0 = packed + (group * blocks + block) * layout.blockBytes, w1 = w0 + layout.blockBytes
                    let o0 = group * coutPerGroup + block * 8
                    let (l0, h0) = blockStartNEONDot(w0, quadCount: layout.taps * layout.quads, paddingQuad: reader.paddingQuad,
                                                     bias: bias, channel: o0, rows: 8)
                    let (l1, h1) = blockStartNEONDot(w1, quadCount: layout.taps * layout.quads, paddingQuad: reader.paddingQuad,
                                                     bias: bias, channel: o0 + 8, rows: 8)
                    let r0 = Requantize8NEON(requantization, channel: o0, rows: 8, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax)
                    let r1 = Requantize8NEON(requantization, channel: o0 + 8, rows: 8, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax)
                    if let pointers {
                        igemm4x16NEONDot(pointers, tiles: tiles, indirect.geometry, taps: indirect.taps, channelOffset: group * cinPerGroup,
                                         weights: w0, blockBytes: layout.blockBytes, tapBytes: layout.tapBytes, reader: reader,
                                         starts: (l0, h0, l1, h1), r0, r1, to: output + o0, pixelStride: c)
                    } else {
                        igemm4x16NEONDot(run, tiles: tiles, indirect.geometry, channelOffset: group * cinPerGroup, weights: w0,
                                         blockBytes: layout.blockBytes, reader: reader, starts: (l0, h0, l1, h1), r0, r1,
                                         to: output + o0, pixelStride: c, runStride: channels)
                    }
                }
                block += 2
            }
        }
    }
}

/// Whether blocks `block` and `block + 1` of each group take the indirect path: both whole.
@inline(__always)
func takesPairNEONDot(_ p: Conv2DParams, block: Int) -> Bool { p.output.channels / p.groups - block * 8 >= 16 }

/// Tiles `tiles` of four output pixels by sixteen channels (two whole blocks of eight) over `taps`
/// taps each: from the pointer of the run's first tile, per tile and tap the four pixels' first
/// bytes (a pixel past the tile's repeats its last), `channelOffset` on to the group's channels,
/// each read in 16-byte chunks against the tap's weights (`tapBytes` on per tap; the second block
/// `blockBytes` on). The sums start at `starts` (`bias − zp·Σw` of both blocks) and are
/// requantized with every constant prepared, sixteen bytes a pixel, to `out` (the block pair's
/// first channel of pixel 0). The loop is out of line (`igemmTiles…`), compiled once per
/// `ShiftRuleNEON` with its sixteen accumulators in registers; the inline entry picks the copy.
/// Example: 3 × 3 taps of 32 channels: 18 × 64 SDOT a tile.
///
/// The pointer-table form: per tile and tap four pixels' first bytes from `pointers` on.
@inline(__always)
func igemm4x16NEONDot(_ pointers: UnsafePointer<UnsafePointer<Int8>>, tiles: Range<Int>, _ geometry: TileGeometry, taps: Int,
                      channelOffset g: Int, weights: UnsafePointer<Int8>, blockBytes: Int, tapBytes: Int, reader: ChunkReaderNEONDot,
                      starts: (int32x4_t, int32x4_t, int32x4_t, int32x4_t), _ r0: Requantize8NEON, _ r1: Requantize8NEON,
                      to out: UnsafeMutablePointer<Int8>, pixelStride c: Int) {
    if r0.shiftsOnlyRight && r1.shiftsOnlyRight {
        igemmTiles4x16NEONDot(pointers, tiles: tiles, geometry, taps: taps, channelOffset: g, weights: weights, blockBytes: blockBytes,
                              tapBytes: tapBytes, reader: reader, starts: starts, r0, r1, to: out, pixelStride: c, RightShiftsOnly.self)
    } else {
        igemmTiles4x16NEONDot(pointers, tiles: tiles, geometry, taps: taps, channelOffset: g, weights: weights, blockBytes: blockBytes,
                              tapBytes: tapBytes, reader: reader, starts: starts, r0, r1, to: out, pixelStride: c, AnyShifts.self)
    }
}

@inline(never)
func igemmTiles4x16NEONDot<Rule: ShiftRuleNEON>(_ pointers: UnsafePointer<UnsafePointer<Int8>>, tiles: Range<Int>,
                                                _ geometry: TileGeometry, taps: Int, channelOffset g: Int,
                                                weights: UnsafePointer<Int8>, blockBytes: Int, tapBytes: Int, reader: ChunkReaderNEONDot,
                                                starts: (int32x4_t, int32x4_t, int32x4_t, int32x4_t), _ r0: Requantize8NEON,
                                                _ r1: Requantize8NEON, to out: UnsafeMutablePointer<Int8>, pixelStride c: Int, _: Rule.Type) {
    igemmTilesNEONDot(pointers, tiles: tiles, geometry, taps: taps, channelOffset: g, weights: weights, blockBytes: blockBytes,
                      tapBytes: tapBytes, reader: reader, starts: starts, r0, r1, to: out, pixelStride: c, pair: true,
                      rightOnly: Rule.rightOnly)
}

/// `igemm4x16NEONDot` for one block of eight channels (`starts.0`, `starts.1`, `r0`): a stem of 8,
/// 24, … outputs.
@inline(__always)
func igemm4x8NEONDot(_ pointers: UnsafePointer<UnsafePointer<Int8>>, tiles: Range<Int>, _ geometry: TileGeometry, taps: Int,
                     channelOffset g: Int, weights: UnsafePointer<Int8>, tapBytes: Int, reader: ChunkReaderNEONDot,
                     starts: (int32x4_t, int32x4_t), _ r0: Requantize8NEON, to out: UnsafeMutablePointer<Int8>, pixelStride c: Int) {
    if r0.shiftsOnlyRight {
        igemmTiles4x8NEONDot(pointers, tiles: tiles, geometry, taps: taps, channelOffset: g, weights: weights, tapBytes: tapBytes,
                             reader: reader, starts: starts, r0, to: out, pixelStride: c, RightShiftsOnly.self)
    } else {
        igemmTiles4x8NEONDot(pointers, tiles: tiles, geometry, taps: taps, channelOffset: g, weights: weights, tapBytes: tapBytes,
                             reader: reader, starts: starts, r0, to: out, pixelStride: c, AnyShifts.self)
    }
}

@inline(never)
func igemmTiles4x8NEONDot<Rule: ShiftRuleNEON>(_ pointers: UnsafePointer<UnsafePointer<Int8>>, tiles: Range<Int>,
                                               _ geometry: TileGeometry, taps: Int, channelOffset g: Int,
                                               weights: UnsafePointer<Int8>, tapBytes: Int, reader: ChunkReaderNEONDot,
                                               starts: (int32x4_t, int32x4_t), _ r0: Requantize8NEON, to out: UnsafeMutablePointer<Int8>,
                                               pixelStride c: Int, _: Rule.Type) {
    igemmTilesNEONDot(pointers, tiles: tiles, geometry, taps: taps, channelOffset: g, weights: weights, blockBytes: 0, tapBytes: tapBytes,
                      reader: reader, starts: (starts.0, starts.1, starts.0, starts.1), r0, r0, to: out, pixelStride: c, pair: false,
                      rightOnly: Rule.rightOnly)
}

@_transparent
func igemmTilesNEONDot(_ pointers: UnsafePointer<UnsafePointer<Int8>>, tiles: Range<Int>, _ geometry: TileGeometry, taps: Int,
                       channelOffset g: Int, weights: UnsafePointer<Int8>, blockBytes: Int, tapBytes: Int, reader: ChunkReaderNEONDot,
                       starts: (int32x4_t, int32x4_t, int32x4_t, int32x4_t), _ r0: Requantize8NEON, _ r1: Requantize8NEON,
                       to out: UnsafeMutablePointer<Int8>, pixelStride c: Int, pair: Bool, rightOnly: Bool) {
    var at = pointers
    for t in tiles {
        var tile = Tile4x16NEONDot(starts.0, starts.1, starts.2, starts.3)
        var w = weights
        for _ in 0..<taps {
            tile.addTapNEONDot(at[0] + g, at[1] + g, at[2] + g, at[3] + g, w, blockBytes: blockBytes, reader, pair: pair)
            at += 4
            w += tapBytes
        }
        let (first, pixels) = geometry.pixels(ofTile: t)
        tile.store(r0, r1, rows0: 8, rows1: pair ? 8 : 0, to: out + first &* c, pixelStride: c, pixels: pixels, pair: pair,
                   rightOnly: rightOnly)
    }
}

/// The pointwise form: tile `t`'s pixels are `run`'s pixels `4t …` (`runStride` bytes apart; the
/// last repeated past the tile's), one tap.
@inline(__always)
func igemm4x16NEONDot(_ run: UnsafePointer<Int8>, tiles: Range<Int>, _ geometry: TileGeometry, channelOffset g: Int,
                      weights: UnsafePointer<Int8>, blockBytes: Int, reader: ChunkReaderNEONDot,
                      starts: (int32x4_t, int32x4_t, int32x4_t, int32x4_t), _ r0: Requantize8NEON, _ r1: Requantize8NEON,
                      to out: UnsafeMutablePointer<Int8>, pixelStride c: Int, runStride: Int) {
    if r0.shiftsOnlyRight && r1.shiftsOnlyRight {
        igemmRun4x16NEONDot(run, tiles: tiles, geometry, channelOffset: g, weights: weights, blockBytes: blockBytes, reader: reader,
                            starts: starts, r0, r1, to: out, pixelStride: c, runStride: runStride, RightShiftsOnly.self)
    } else {
        igemmRun4x16NEONDot(run, tiles: tiles, geometry, channelOffset: g, weights: weights, blockBytes: blockBytes, reader: reader,
                            starts: starts, r0, r1, to: out, pixelStride: c, runStride: runStride, AnyShifts.self)
    }
}

@inline(never)
func igemmRun4x16NEONDot<Rule: ShiftRuleNEON>(_ run: UnsafePointer<Int8>, tiles: Range<Int>, _ geometry: TileGeometry,
                                              channelOffset g: Int, weights: UnsafePointer<Int8>, blockBytes: Int,
                                              reader: ChunkReaderNEONDot, starts: (int32x4_t, int32x4_t, int32x4_t, int32x4_t),
                                              _ r0: Requantize8NEON, _ r1: Requantize8NEON, to out: UnsafeMutablePointer<Int8>,
                                              pixelStride c: Int, runStride: Int, _: Rule.Type) {
    for t in tiles {
        var tile = Tile4x16NEONDot(starts.0, starts.1, starts.2, starts.3)
        let (first, pixels) = geometry.pixels(ofTile: t)
        let last = pixels &- 1, s0 = run + (first &* runStride &+ g)
        tile.addTapNEONDot(s0, s0 + min(1, last) &* runStride, s0 + min(2, last) &* runStride, s0 + min(3, last) &* runStride, weights,
                           blockBytes: blockBytes, reader, pair: true)
        tile.store(r0, r1, rows0: 8, rows1: 8, to: out + first &* c, pixelStride: c, pixels: pixels, pair: true, rightOnly: Rule.rightOnly)
    }
}

extension Tile4x16NEONDot {
    /// One tap of two whole blocks (one without `pair`): each pixel's group channels at `s0`–`s3`,
    /// in 16-byte chunks that all lie inside memory, against the tap's weights at `w` (the second
    /// block `blockBytes` on).
    @_transparent
    mutating func addTapNEONDot(_ s0: UnsafePointer<Int8>, _ s1: UnsafePointer<Int8>, _ s2: UnsafePointer<Int8>, _ s3: UnsafePointer<Int8>,
                                _ w: UnsafePointer<Int8>, blockBytes: Int, _ reader: ChunkReaderNEONDot, pair: Bool) {
        var chunk = 0
        while chunk < reader.fullChunks {
            let offset = 16 &* chunk
            addChunk(load16NEON(s0 + offset), load16NEON(s1 + offset), load16NEON(s2 + offset), load16NEON(s3 + offset),
                     w + 128 &* chunk, w + (128 &* chunk &+ blockBytes), lanes: 4, pair: pair)
            chunk &+= 1
        }
        if reader.tailLanes > 0 {
            let offset = 16 &* chunk
            addChunk(load16NEON(s0 + offset), load16NEON(s1 + offset), load16NEON(s2 + offset), load16NEON(s3 + offset),
                     w + 128 &* chunk, w + (128 &* chunk &+ blockBytes), lanes: reader.tailLanes, pair: pair)
        }
    }
}

/// Quad `l` (0–3) of `x` in every 32-bit lane, which the compiler folds into SDOT's by-element form.
@inline(__always)
func quadLane(_ x: int8x16_t, _ l: Int) -> int8x16_t {
    unsafeBitCast(SIMD4<Int32>(repeating: unsafeBitCast(x, to: SIMD4<Int32>.self)[l]), to: int8x16_t.self)
}

/// The starting sums of block `w`'s eight channels `o ..< o + rows` (channels 0–3, 4–7):
/// `bias − zp·Σw`, with `paddingQuad` the quad `zp` and `quadCount` the block's taps × quads.
@inline(__always)
func blockStartNEONDot(_ w: UnsafePointer<Int8>, quadCount: Int, paddingQuad: int8x16_t, bias: UnsafePointer<Int32>?,
                       channel o: Int, rows: Int) -> (int32x4_t, int32x4_t) {
    var low = vdupq_n_s32(0), high = vdupq_n_s32(0)
    for k in 0..<quadCount {
        low = vdotq_s32(low, paddingQuad, load16NEON(w + 32 * k))
        high = vdotq_s32(high, paddingQuad, load16NEON(w + 32 * k + 16))
    }
    var b = SIMD8<Int32>(repeating: 0)
    if let bias { for r in 0..<rows { b[r] = bias[o + r] } }
    return (vsubq_s32(b.lowHalf, low), vsubq_s32(b.highHalf, high))
}

/// Blocks `block` and, with `pair`, `block + 1` of `group` over the whole output image, four
/// pixels at a time: sixteen (or eight) int32×4 accumulators, four input registers. Pointwise
/// convolutions (1 × 1, stride 1, no padding) take the image as one run of pixels, four at a time
/// across rows; the others four pixels of a row.
@inline(__always)
func packedColumnNEONDot(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                         bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                         output: UnsafeMutablePointer<Int8>, group: Int, block: Int, pair: Bool) {
    let cinPerGroup = p.input.channels / p.groups, coutPerGroup = p.output.channels / p.groups
    let layout = ConvQuads8Layout(p), quads = layout.quads, tapBytes = layout.tapBytes
    let zeroPointByte = UInt32(UInt8(truncatingIfNeeded: p.inputZeroPoint))
    let reader = ChunkReaderNEONDot(fullChunks: cinPerGroup / 16, tailLanes: quads - 4 * (cinPerGroup / 16),
                                    inputEnd: input + p.input.height * p.input.width * p.input.channels,
                                    paddingQuad: vreinterpretq_s8_u32(vdupq_n_u32(zeroPointByte &* 0x0101_0101)))
    let w0 = packed + (group * layout.blocksPerGroup + block) * layout.blockBytes, w1 = w0 + layout.blockBytes
    let o0 = group * coutPerGroup + block * 8, o1 = o0 + 8
    let rows0 = min(8, coutPerGroup - block * 8), rows1 = pair ? min(8, coutPerGroup - block * 8 - 8) : 0
    let (start0L, start0H) = blockStartNEONDot(w0, quadCount: layout.taps * quads, paddingQuad: reader.paddingQuad, bias: bias,
                                               channel: o0, rows: rows0)
    let (start1L, start1H) = pair ? blockStartNEONDot(w1, quadCount: layout.taps * quads, paddingQuad: reader.paddingQuad, bias: bias,
                                                      channel: o1, rows: rows1) : (start0L, start0H)
    let r0 = Requantize8NEON(requantization, channel: o0, rows: rows0, outputZeroPoint: p.outputZeroPoint,
                             min: p.activationMin, max: p.activationMax)
    let r1 = Requantize8NEON(requantization, channel: pair ? o1 : o0, rows: rows1, outputZeroPoint: p.outputZeroPoint,
                             min: p.activationMin, max: p.activationMax)
    let c = p.output.channels

    if p.isPointwise {
        let count = p.output.height &* p.output.width
        for first in stride(from: 0, to: count, by: 4) {
            let pixels = min(4, count &- first)
            let (s0, s1, s2, s3) = p.runSources(input, first: first, pixels: pixels, channelOffset: group &* cinPerGroup)
            var tile = Tile4x16NEONDot(start0L, start0H, start1L, start1H)
            tile.addTap(s0, s1, s2, s3, w0, w1, reader, pair: pair)
            tile.store(r0, r1, rows0: rows0, rows1: rows1, to: output + (first &* c &+ o0), pixelStride: c, pixels: pixels, pair: pair)
        }
        return
    }
    for oy in 0..<p.output.height {
        for ox in stride(from: 0, to: p.output.width, by: 4) {
            let pixels = min(4, p.output.width &- ox)
            var tile = Tile4x16NEONDot(start0L, start0H, start1L, start1H)
            for ky in 0..<p.kernelH {
                for kx in 0..<p.kernelW {
                    let (s0, s1, s2, s3) = p.tapSources(input, oy: oy, ox: ox, pixels: pixels, ky: ky, kx: kx,
                                                        channelOffset: group &* cinPerGroup)
                    let tap = (ky &* p.kernelW &+ kx) &* tapBytes
                    tile.addTap(s0, s1, s2, s3, w0 + tap, w1 + tap, reader, pair: pair)
                }
            }
            tile.store(r0, r1, rows0: rows0, rows1: rows1, to: output + ((oy &* p.output.width &+ ox) &* c &+ o0), pixelStride: c,
                       pixels: pixels, pair: pair)
        }
    }
}

/// How the packed SDOT kernel reads a pixel's group channels at a tap: `fullChunks` whole 16-byte
/// chunks, then a chunk of `tailLanes` quads (0–3) that may end past the group's channels.
struct ChunkReaderNEONDot {
    let fullChunks: Int, tailLanes: Int
    let inputEnd: UnsafePointer<Int8>
    /// The quad `zp` in every lane: a pixel in the padding.
    let paddingQuad: int8x16_t

    /// Sixteen bytes of a pixel from chunk `c` on; the padding quad for nil. The last chunk's
    /// bytes past the group's channels meet zero weights or unused lanes, and are read only where
    /// the input goes on.
    @inline(__always)
    func chunk(_ src: UnsafePointer<Int8>?, _ c: Int) -> int8x16_t {
        guard let src else { return paddingQuad }
        let at = src + 16 &* c
        if c < fullChunks || at + 16 <= inputEnd { return load16NEON(at) }
        var x = vdupq_n_s8(0)
        for e in 0..<(inputEnd - at) { x[e] = at[e] }
        return x
    }
}

/// The sums of four pixels (0–3) by two blocks of eight channels: block one's channels 0–3 in
/// `a`, 4–7 in `b`, block two's in `c` and `d`.
struct Tile4x16NEONDot {
    var a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3: int32x4_t

    @inline(__always)
    init(_ a: int32x4_t, _ b: int32x4_t, _ c: int32x4_t, _ d: int32x4_t) {
        (a0, b0, c0, d0) = (a, b, c, d)
        (a1, b1, c1, d1) = (a, b, c, d)
        (a2, b2, c2, d2) = (a, b, c, d)
        (a3, b3, c3, d3) = (a, b, c, d)
    }

    /// Quad `lane` of each pixel's chunk (`x0`–`x3`) against the 32-byte weight quads at `w`
    /// (block one) and, with `pair`, `v` (block two).
    @inline(__always)
    mutating func add(_ x0: int8x16_t, _ x1: int8x16_t, _ x2: int8x16_t, _ x3: int8x16_t,
                      _ w: UnsafePointer<Int8>, _ v: UnsafePointer<Int8>, lane l: Int, pair: Bool) {
        let wl = load16NEON(w), wh = load16NEON(w + 16)
        let q0 = quadLane(x0, l), q1 = quadLane(x1, l), q2 = quadLane(x2, l), q3 = quadLane(x3, l)
        a0 = vdotq_s32(a0, wl, q0); b0 = vdotq_s32(b0, wh, q0)
        a1 = vdotq_s32(a1, wl, q1); b1 = vdotq_s32(b1, wh, q1)
        a2 = vdotq_s32(a2, wl, q2); b2 = vdotq_s32(b2, wh, q2)
        a3 = vdotq_s32(a3, wl, q3); b3 = vdotq_s32(b3, wh, q3)
        if pair {
            let vl = load16NEON(v), vh = load16NEON(v + 16)
            c0 = vdotq_s32(c0, vl, q0); d0 = vdotq_s32(d0, vh, q0)
            c1 = vdotq_s32(c1, vl, q1); d1 = vdotq_s32(d1, vh, q1)
            c2 = vdotq_s32(c2, vl, q2); d2 = vdotq_s32(d2, vh, q2)
            c3 = vdotq_s32(c3, vl, q3); d3 = vdotq_s32(d3, vh, q3)
        }
    }
}

extension Tile4x16NEONDot {
    /// One tap: the four pixels' group channels at `s0`–`s3` (nil in the padding) against the
    /// tap's weights `t0` (block one) and `t1` (block two, with `pair`).
    @_transparent
    mutating func addTap(_ s0: UnsafePointer<Int8>?, _ s1: UnsafePointer<Int8>?, _ s2: UnsafePointer<Int8>?, _ s3: UnsafePointer<Int8>?,
                         _ t0: UnsafePointer<Int8>, _ t1: UnsafePointer<Int8>, _ r: ChunkReaderNEONDot, pair: Bool) {
        if let s0, let s1, let s2, let s3 {
            for c in 0..<r.fullChunks {
                let x0 = load16NEON(s0 + 16 &* c), x1 = load16NEON(s1 + 16 &* c), x2 = load16NEON(s2 + 16 &* c), x3 = load16NEON(s3 + 16 &* c)
                addChunk(x0, x1, x2, x3, t0 + 128 &* c, t1 + 128 &* c, lanes: 4, pair: pair)
            }
        } else {
            for c in 0..<r.fullChunks {
                addChunk(r.chunk(s0, c), r.chunk(s1, c), r.chunk(s2, c), r.chunk(s3, c), t0 + 128 &* c, t1 + 128 &* c, lanes: 4, pair: pair)
            }
        }
        if r.tailLanes > 0 {
            let c = r.fullChunks
            addChunk(r.chunk(s0, c), r.chunk(s1, c), r.chunk(s2, c), r.chunk(s3, c), t0 + 128 &* c, t1 + 128 &* c,
                     lanes: r.tailLanes, pair: pair)
        }
    }

    /// The first `lanes` quads of each pixel's chunk against the weight quads from `w`, `v` on.
    @_transparent
    mutating func addChunk(_ x0: int8x16_t, _ x1: int8x16_t, _ x2: int8x16_t, _ x3: int8x16_t,
                           _ w: UnsafePointer<Int8>, _ v: UnsafePointer<Int8>, lanes: Int, pair: Bool) {
        add(x0, x1, x2, x3, w, v, lane: 0, pair: pair)
        if lanes > 1 { add(x0, x1, x2, x3, w + 32, v + 32, lane: 1, pair: pair) }
        if lanes > 2 { add(x0, x1, x2, x3, w + 64, v + 64, lane: 2, pair: pair) }
        if lanes > 3 { add(x0, x1, x2, x3, w + 96, v + 96, lane: 3, pair: pair) }
    }

    /// The first `pixels` pixels' sums requantized to `out` (pixel k at `k · pixelStride`):
    /// block one's `rows0` channels through `r0`, block two's `rows1` 8 bytes on through `r1`.
    @_transparent
    func store(_ r0: Requantize8NEON, _ r1: Requantize8NEON, rows0: Int, rows1: Int, to out: UnsafeMutablePointer<Int8>,
               pixelStride c: Int, pixels: Int, pair: Bool, rightOnly: Bool = false) {
        if pair && rows1 == 8 {  // both blocks whole: sixteen bytes narrowed, clamped and stored together
            @inline(__always) func put(_ a: int32x4_t, _ b: int32x4_t, _ d: int32x4_t, _ e: int32x4_t, _ at: UnsafeMutablePointer<Int8>) {
                UnsafeMutableRawPointer(at).storeBytes(of: r0.apply(a, b, r1, d, e, rightOnly: rightOnly), as: int8x16_t.self)
            }
            put(a0, b0, c0, d0, out)
            if pixels > 1 { put(a1, b1, c1, d1, out + c) }
            if pixels > 2 { put(a2, b2, c2, d2, out + 2 &* c) }
            if pixels > 3 { put(a3, b3, c3, d3, out + 3 &* c) }
            return
        }
        r0.store(a0, b0, rows: rows0, to: out)
        if pair { r1.store(c0, d0, rows: rows1, to: out + 8) }
        if pixels > 1 {
            r0.store(a1, b1, rows: rows0, to: out + c)
            if pair { r1.store(c1, d1, rows: rows1, to: out + (c &+ 8)) }
        }
        if pixels > 2 {
            r0.store(a2, b2, rows: rows0, to: out + 2 &* c)
            if pair { r1.store(c2, d2, rows: rows1, to: out + (2 &* c &+ 8)) }
        }
        if pixels > 3 {
            r0.store(a3, b3, rows: rows0, to: out + 3 &* c)
            if pair { r1.store(c3, d3, rows: rows1, to: out + (3 &* c &+ 8)) }
        }
    }
}

/// A stem through `StemRows` (where it applies: false otherwise, nothing written): per output row,
/// pairs of blocks through `igemm4x16NEONDot`, an odd last block through `igemm4x8NEONDot`.
func stemRowsNEONDot(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
                     requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>) -> Bool {
    guard let stem = StemRows(p) else { return false }
    let blocks = p.output.channels / 8, c = p.output.channels
    let zeroPointByte = UInt32(UInt8(truncatingIfNeeded: p.inputZeroPoint))
    let reader = ChunkReaderNEONDot(fullChunks: stem.quads / 4, tailLanes: stem.quads % 4, inputEnd: input,
                                    paddingQuad: vreinterpretq_s8_u32(vdupq_n_u32(zeroPointByte &* 0x0101_0101)))
    let geometry = TileGeometry(pointwise: false, width: p.output.width, pixelCount: p.output.height * p.output.width)
    stem.forEachRow(p, input: input, filter: packed, bias: bias, requantization: requantization) { weights, tiles, pointers, s, r in
        var b = 0
        while b < blocks {
            let w0 = weights + b * stem.blockBytes
            if b + 2 <= blocks {
                igemm4x16NEONDot(pointers, tiles: tiles, geometry, taps: p.kernelH, channelOffset: 0, weights: w0,
                                 blockBytes: stem.blockBytes, tapBytes: stem.tapBytes, reader: reader,
                                 starts: (s[2 * b], s[2 * b + 1], s[2 * b + 2], s[2 * b + 3]), r[b], r[b + 1], to: output + 8 * b,
                                 pixelStride: c)
                b += 2
            } else {
                igemm4x8NEONDot(pointers, tiles: tiles, geometry, taps: p.kernelH, channelOffset: 0, weights: w0, tapBytes: stem.tapBytes,
                                reader: reader, starts: (s[2 * b], s[2 * b + 1]), r[b], to: output + 8 * b, pixelStride: c)
                b += 1
            }
        }
    }
    return true
}

/// The packed convolution of a stem (`Conv2DParams.takesStemPath`: one group of 1–3 channels)
/// with SDOT, as one GEMM over each output pixel's whole KH·KW·Cin patch instead of one quad per
/// tap with only Cin of its four bytes used: every block of eight channels' weights is rewritten
/// from the `convQuads8` filter as ⌈KH·KW·Cin / 4⌉ quads of the patch in (ky, kx, c) order (an
/// 8 KB stack local), each tile of four output pixels gathers its patches once (`gatherPatches`)
/// and reads them as the 4 × 16 tiles read pixels (16 bytes a load, quads by lane, two blocks a
/// tile), and each block's sums start from `bias − zp·Σw` (the padding reads the zero point,
/// which cancels). Example: a 3×3 RGB stem is 27 bytes, 7 quads per pixel instead of 9.
/// (`conv2dPackedStemNEON` is the same with SMULL/SADALP, one block a tile.)
func conv2dPackedStemNEONDot(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                             bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                             output: UnsafeMutablePointer<Int8>) {
    let quads = (p.kernelH * p.kernelW * p.input.channels + 3) / 4, blocks = (p.output.channels + 7) / 8
    let zeroPointByte = UInt32(UInt8(truncatingIfNeeded: p.inputZeroPoint))
    let paddingQuad = vreinterpretq_s8_u32(vdupq_n_u32(zeroPointByte &* 0x0101_0101))
    // On the stack, zeroed: up to 8 blocks × 32 quads × 32 bytes of weights (zero past the patch),
    // each block's starting sums, and 4 pixels' patches; each block's requantization.
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
            let (low, high) = blockStartNEONDot(weights + b * 1024, quadCount: quads, paddingQuad: paddingQuad, bias: bias,
                                                channel: 8 * b, rows: min(8, p.output.channels - 8 * b))
            UnsafeMutableRawPointer(starts + 8 * b).storeBytes(of: low, as: int32x4_t.self)
            UnsafeMutableRawPointer(starts + 8 * b + 4).storeBytes(of: high, as: int32x4_t.self)
        }
        // Each tile's patches are read as the 4 × 16 tiles read pixels: 16 bytes (four quads) a
        // load, each quad by lane, two blocks at a time (the patch buffer reads past each patch stay
        // inside it and meet zero weights).
        let reader = ChunkReaderNEONDot(fullChunks: quads / 4, tailLanes: quads % 4, inputEnd: patches + 4 * patchStride + 32,
                                        paddingQuad: paddingQuad)
        let c = p.output.channels
        for oy in 0..<p.output.height {
            for ox in stride(from: 0, to: p.output.width, by: 4) {
                let pixels = min(4, p.output.width &- ox)
                gatherPatches(p, input: input, oy: oy, ox: ox, pixels: pixels, into: patches)
                let out = output + (oy &* p.output.width &+ ox) &* c
                let s0 = UnsafePointer(patches), s1 = UnsafePointer(patches + patchStride)
                let s2 = UnsafePointer(patches + 2 &* patchStride), s3 = UnsafePointer(patches + 3 &* patchStride)
                @inline(__always) func start(_ b: Int) -> (int32x4_t, int32x4_t) {
                    (UnsafeRawPointer(starts + 8 &* b).loadUnaligned(as: int32x4_t.self),
                     UnsafeRawPointer(starts + (8 &* b &+ 4)).loadUnaligned(as: int32x4_t.self))
                }
                var b = 0
                while b &+ 2 <= blocks {
                    let (aL, aH) = start(b), (bL, bH) = start(b &+ 1)
                    var tile = Tile4x16NEONDot(aL, aH, bL, bH)
                    tile.addTap(s0, s1, s2, s3, weights + b &* 1024, weights + (b &+ 1) &* 1024, reader, pair: true)
                    tile.store(requantizers[b], requantizers[b &+ 1], rows0: 8, rows1: min(8, c &- 8 &* b &- 8), to: out + 8 &* b,
                               pixelStride: c, pixels: pixels, pair: true)
                    b &+= 2
                }
                if b < blocks {
                    let (aL, aH) = start(b)
                    var tile = Tile4x16NEONDot(aL, aH, aL, aH)
                    tile.addTap(s0, s1, s2, s3, weights + b &* 1024, weights + b &* 1024, reader, pair: false)
                    tile.store(requantizers[b], requantizers[b], rows0: min(8, c &- 8 &* b), rows1: 0, to: out + 8 &* b,
                               pixelStride: c, pixels: pixels, pair: false)
                }
            }
        }
    }
    }
    }
    }
}
#endif
