#if arch(x86_64)
import _Builtin_intrinsics.intel
import CAVX512VNNI
import KernelsAVX2
import KernelsAVXVNNI
import Runtime

/// `conv2d_s8_packed_avxvnni` on CPUs with AVX-512 VNNI but without AVX-VNNI (Intel Ice Lake and
/// Sapphire Rapids servers, AMD Zen 4): the same contract and bytes, with vpdpbusd in its EVEX
/// encoding on 256-bit registers (`_mm256_dpbusd_epi32`, AVX512VL). With more than 16 output
/// channels per group it computes tiles of 4 pixels × 32 channels (`conv2dPacked4x32AVX512VNNI`:
/// AVX-512 has 32 vector registers, enough for 16 accumulators), else the shared body (4 × 16
/// tiles, or a stem as one GEMM over its patch). This
/// module is compiled for AVX-512 VNNI; only `KernelSet.best` hands it out, after CPUID.
public func conv2d_s8_packed_avx512vnni(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                        bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                        output: UnsafeMutablePointer<Int8>) {
    if takes4x32Tiles(p) && p.scratch != nil {
        conv2dPacked4x32AVX512VNNI(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output)
    } else {
        conv2dPackedDotProduct(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output,
                               dot: AVX512VNNIDotProduct.self)
    }
}

/// Whether `conv2d_s8_packed_avx512vnni` runs `p` in tiles of 4 pixels × 32 channels: more than
/// eight output channels per group, and not a stem.
func takes4x32Tiles(_ p: Conv2DParams) -> Bool { p.output.channels / p.groups > 8 && !p.takesStemPath }

/// The tile `conv2d_s8_packed_avx512vnni` runs `p` in (part of its name).
public func conv2dPackedTileAVX512VNNI(_ p: Conv2DParams) -> StaticString { takes4x32Tiles(p) ? "4x32c4" : conv2dPackedTileVNNI(p) }

/// AVX-512 VNNI's vpdpbusd (EVEX) on eight 32-bit lanes; pairs of blocks requantized sixteen lanes at a time.
public enum AVX512VNNIDotProduct: DotProduct8 {
    public typealias BlockPairRequantizer = RequantizeBlockPairAVX512
    @inline(__always)
    public static func dot(_ acc: __m256i, _ u: __m256i, _ s: __m256i) -> __m256i { minnow_dpbusd256(acc, u, s) }
}

/// The packed convolution (`conv2dPackedDotProduct`'s arithmetic: unsigned input quads, the
/// zero-point term folded into each block's starting sums, padding read as the zero-point pixel in
/// `p.scratch`) with four blocks of eight output channels per tile instead of two: each input quad
/// broadcast once feeds 32 channels, and each weight vector four pixels. Blocks past the group's
/// last are the last block again (computed, not stored). Example: 96 channels per group run as
/// three tiles of 32 channels per four output pixels.
func conv2dPacked4x32AVX512VNNI(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                output: UnsafeMutablePointer<Int8>) {
    let cinPerGroup = p.input.channels / p.groups, coutPerGroup = p.output.channels / p.groups
    let layout = ConvQuads8Layout(p), quads = layout.quads, blocks = layout.blocksPerGroup
    let fullQuads = cinPerGroup / 4, blockBytes = layout.blockBytes
    let shiftedZeroPoint = UInt32(truncatingIfNeeded: p.inputZeroPoint &+ 128) & 0xFF
    let paddingQuad = _mm256_set1_epi32(Int32(bitPattern: shiftedZeroPoint &* 0x0101_0101))
    let paddingBuffer = p.scratch!.bindMemory(to: Int8.self, capacity: 4 * quads)
    paddingBuffer.initialize(repeating: Int8(truncatingIfNeeded: p.inputZeroPoint), count: 4 * quads)
    let paddingPixel = UnsafePointer(paddingBuffer)
    let quads4 = UnsignedQuads(p, input: input)
    @inline(__always) func dot(_ acc: __m256i, _ u: __m256i, _ s: UnsafePointer<Int8>) -> __m256i {
        minnow_dpbusd256(acc, u, _mm256_loadu_si256(UnsafeRawPointer(s).assumingMemoryBound(to: __m256i.self)))
    }
    for group in 0..<p.groups {
        for block in stride(from: 0, to: blocks, by: 4) {
            let k = (block, min(block + 1, blocks - 1), min(block + 2, blocks - 1), min(block + 3, blocks - 1))
            let w = (packed + (group * blocks + k.0) * blockBytes, packed + (group * blocks + k.1) * blockBytes,
                     packed + (group * blocks + k.2) * blockBytes, packed + (group * blocks + k.3) * blockBytes)
            func firstChannel(_ b: Int) -> Int { group * coutPerGroup + b * 8 }
            func rows(_ b: Int) -> Int { min(8, coutPerGroup - b * 8) }
            // bias − (zp + 128)·Σw per channel.
            var start = (_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256())
            for q in 0..<(layout.taps * quads) {
                start.0 = dot(start.0, paddingQuad, w.0 + 32 * q)
                start.1 = dot(start.1, paddingQuad, w.1 + 32 * q)
                start.2 = dot(start.2, paddingQuad, w.2 + 32 * q)
                start.3 = dot(start.3, paddingQuad, w.3 + 32 * q)
            }
            func biases(_ b: Int) -> __m256i { blockBiasesAVX2(bias, channel: firstChannel(b), rows: rows(b)) }
            start = (_mm256_sub_epi32(biases(k.0), start.0), _mm256_sub_epi32(biases(k.1), start.1),
                     _mm256_sub_epi32(biases(k.2), start.2), _mm256_sub_epi32(biases(k.3), start.3))
            func requantize(_ b: Int) -> Requantize8AVX2 {
                Requantize8AVX2(requantization, channel: firstChannel(b), rows: rows(b), bias: nil, outputZeroPoint: p.outputZeroPoint,
                                min: p.activationMin, max: p.activationMax)
            }
            let r = (requantize(k.0), requantize(k.1), requantize(k.2), requantize(k.3))
            let stored = (true, k.1 != k.0, k.2 != k.1, k.3 != k.2)
            /// Blocks `b` and `b + 1` requantized as one sixteen-lane vector, when both are whole and stored.
            func requantize16(_ b: Int, _ next: Int) -> RequantizeBlockPairAVX512? {
                guard next == b + 1, rows(b) == 8, rows(next) == 8 else { return nil }
                return RequantizeBlockPairAVX512(requantization, channel: firstChannel(b), outputZeroPoint: p.outputZeroPoint,
                                                 min: p.activationMin, max: p.activationMax)
            }
            let r16 = (requantize16(k.0, k.1), requantize16(k.2, k.3))

            for oy in 0..<p.output.height {
                var ox = 0
                while ox < p.output.width {
                    let pixels = min(4, p.output.width - ox)
                    var a = (start.0, start.0, start.0, start.0), b = (start.1, start.1, start.1, start.1)
                    var c = (start.2, start.2, start.2, start.2), d = (start.3, start.3, start.3, start.3)
                    for ky in 0..<p.kernelH {
                        let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                        let rowInside = iy >= 0 && iy < p.input.height
                        let line = input + (rowInside ? iy * p.input.width * p.input.channels + group * cinPerGroup : 0)
                        for kx in 0..<p.kernelW {
                            @inline(__always) func source(_ n: Int) -> UnsafePointer<Int8> {
                                let ix = (ox + n) * p.strideW - p.padLeft + kx * p.dilationW
                                return rowInside && n < pixels && ix >= 0 && ix < p.input.width ? line + ix * p.input.channels : paddingPixel
                            }
                            let s = (source(0), source(1), source(2), source(3))
                            let t = (ky * p.kernelW + kx) * layout.tapBytes
                            // Full quads in a branch-free loop, then the partial one (as `conv2dPackedDotProduct`).
                            @inline(__always) func accumulate(_ j: Int, _ quad: (UnsafePointer<Int8>, Int) -> __m256i) {
                                let o = t + 32 * j
                                var x = quad(s.0, j)
                                a.0 = dot(a.0, x, w.0 + o); b.0 = dot(b.0, x, w.1 + o); c.0 = dot(c.0, x, w.2 + o); d.0 = dot(d.0, x, w.3 + o)
                                x = quad(s.1, j)
                                a.1 = dot(a.1, x, w.0 + o); b.1 = dot(b.1, x, w.1 + o); c.1 = dot(c.1, x, w.2 + o); d.1 = dot(d.1, x, w.3 + o)
                                x = quad(s.2, j)
                                a.2 = dot(a.2, x, w.0 + o); b.2 = dot(b.2, x, w.1 + o); c.2 = dot(c.2, x, w.2 + o); d.2 = dot(d.2, x, w.3 + o)
                                x = quad(s.3, j)
                                a.3 = dot(a.3, x, w.0 + o); b.3 = dot(b.3, x, w.1 + o); c.3 = dot(c.3, x, w.2 + o); d.3 = dot(d.3, x, w.3 + o)
                            }
                            for j in 0..<fullQuads { accumulate(j, quads4.full) }
                            if fullQuads < quads { accumulate(fullQuads, quads4.partial) }
                        }
                    }
                    let out = output + (oy * p.output.width + ox) * p.output.channels
                    /// Pixel `i`'s sums of block `b`, requantized into its channels.
                    @inline(__always) func store(_ value: __m256i, _ rq: Requantize8AVX2, _ b: Int, _ i: Int) {
                        let (o, n) = (firstChannel(b), rows(b))
                        let at = out + i * p.output.channels
                        if n == 8 {
                            rq.store(value, to: at + o)
                        } else {
                            storeRequantizedTailAVX2(value, bias: nil, requantization, channel: o, rows: n, outputZeroPoint: p.outputZeroPoint,
                                                     min: p.activationMin, max: p.activationMax, to: at)
                        }
                    }
                    @inline(__always) func store(_ acc: (__m256i, __m256i, __m256i, __m256i), _ rq: Requantize8AVX2, _ b: Int) {
                        store(acc.0, rq, b, 0)
                        if pixels > 1 { store(acc.1, rq, b, 1) }
                        if pixels > 2 { store(acc.2, rq, b, 2) }
                        if pixels > 3 { store(acc.3, rq, b, 3) }
                    }
                    /// Both blocks' sums of every pixel, requantized sixteen lanes at a time.
                    @inline(__always) func store(_ low: (__m256i, __m256i, __m256i, __m256i), _ high: (__m256i, __m256i, __m256i, __m256i),
                                                 _ rq: RequantizeBlockPairAVX512) {
                        rq.store(low.0, high.0, to: out)
                        if pixels > 1 { rq.store(low.1, high.1, to: out + p.output.channels) }
                        if pixels > 2 { rq.store(low.2, high.2, to: out + 2 * p.output.channels) }
                        if pixels > 3 { rq.store(low.3, high.3, to: out + 3 * p.output.channels) }
                    }
                    if let rq = r16.0 {
                        store(a, b, rq)
                    } else {
                        store(a, r.0, k.0)
                        if stored.1 { store(b, r.1, k.1) }
                    }
                    if let rq = r16.1 {
                        store(c, d, rq)
                    } else {
                        if stored.2 { store(c, r.2, k.2) }
                        if stored.3 { store(d, r.3, k.3) }
                    }
                    ox += pixels
                }
            }
        }
    }
}
#endif
