#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `dwconv2d_s8` for any vpdpbusd encoding `D`, the body of `dwconv2d_s8_avxvnni` and
/// `dwconv2d_s8_avx512vnni` (and of `dwconv2d_s8_avx2`'s one-channel case): a depthwise convolution of one input channel (multiplier = Cout ≤ 64)
/// whose KH·KW taps fit 128 bytes, as micro_speech's 10×8 filter bank over a spectrogram, runs as
/// one GEMM over each output pixel's patch (`patchGEMMDotProduct`; the filter is `[KH, KW, Cout]`);
/// every other one as `dwconv2d_s8_avx2`. The same contract and bytes as `dwconv2d_s8`.
@inlinable @inline(__always)
public func dwconv2dDotProduct<D: DotProduct8>(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                               bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                               output: UnsafeMutablePointer<Int8>, dot: D.Type) {
    guard p.takesOneChannelPatchPath else {
        return dwconv2d_s8_avx2(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output)
    }
    let cout = p.output.channels
    patchGEMMDotProduct(p, input: input, bias: bias, requantization: requantization, output: output, dot: D.self) { channel, tap, _ in
        filter[tap * cout + channel]
    }
}

/// The packed convolution of a stem (`Conv2DParams.takesStemPath`), for any vpdpbusd encoding `D`:
/// the same contract and bytes as `conv2dPackedDotProduct`, but one GEMM over the whole patch
/// (`patchGEMMDotProduct`) instead of one quad per tap. The `convQuads8` filter keeps one quad per
/// tap with only Cin of its four bytes used (3/4 or 1/4 of every vpdpbusd wasted).
/// Example: a 3×3 stem over one channel is 9 bytes, 3 quads per output pixel instead of 9; over
/// RGB, 27 bytes, 7 quads instead of 9 (with a quarter of each empty).
@inlinable @inline(__always)
public func conv2dPackedStemDotProduct<D: DotProduct8>(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                                       bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                                       output: UnsafeMutablePointer<Int8>, dot: D.Type) {
    let taps = p.kernelH * p.kernelW
    patchGEMMDotProduct(p, input: input, bias: bias, requantization: requantization, output: output, dot: D.self) { channel, tap, c in
        packed[((channel / 8) * taps + tap) * 32 + (channel % 8) * 4 + c]
    }
}

/// A convolution of one group (or a one-channel depthwise) as a GEMM over each output pixel's
/// whole KH·KW·Cin patch (at most 128 bytes, 64 output channels), for any vpdpbusd encoding `D`,
/// with `weight(channel, tap, c)` reading the filter: every block of 8 channels' weights is first
/// rewritten as ⌈KH·KW·Cin / 4⌉ quads of the patch in (ky, kx, c) order into an 8 KB stack local,
/// and each tile of four output pixels gathers its patches once per pair of blocks (`gatherPatches`). Sums,
/// the bias − (zp + 128)·Σw start and the requantization are `conv2dPackedDotProduct`'s.
@inlinable @inline(__always)
public func patchGEMMDotProduct<D: DotProduct8>(_ p: Conv2DParams, input: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
                                                requantization: ChannelRequantization, output: UnsafeMutablePointer<Int8>, dot: D.Type,
                                                weight: (_ channel: Int, _ tap: Int, _ c: Int) -> Int8) {
    let cin = p.input.channels, taps = p.kernelH * p.kernelW, patchBytes = taps * cin, quads = (patchBytes + 3) / 4
    let blocks = (p.output.channels + 7) / 8
    let signFlip = _mm256_set1_epi32(Int32(bitPattern: 0x8080_8080))
    let shiftedZeroPoint = UInt32(truncatingIfNeeded: p.inputZeroPoint &+ 128) & 0xFF
    let paddingQuad = _mm256_set1_epi32(Int32(bitPattern: shiftedZeroPoint &* 0x0101_0101))
    // On the stack, zeroed: up to 8 blocks × 32 quads × 32 bytes of weights (zero past the patch),
    // each block's 32-byte starting sums, and 4 pixels' patches (`gatherPatches`).
    var weightStore = InlineArray<8192, Int8>(repeating: 0)
    var startStore = InlineArray<256, Int8>(repeating: 0)
    var patchStore = InlineArray<608, Int8>(repeating: 0)  // 4 · patchStride + 32
    withUnsafeMutableBytes(of: &weightStore) { weightBytes in
    withUnsafeMutableBytes(of: &startStore) { startBytes in
    withUnsafeMutableBytes(of: &patchStore) { patchBytesBuffer in
        let weights = weightBytes.baseAddress!.assumingMemoryBound(to: Int8.self)
        let starts = startBytes.baseAddress!.assumingMemoryBound(to: Int8.self)
        let patches = patchBytesBuffer.baseAddress!.assumingMemoryBound(to: Int8.self)
        @inline(__always) func load(_ q: UnsafePointer<Int8>) -> __m256i {
            _mm256_loadu_si256(UnsafeRawPointer(q).assumingMemoryBound(to: __m256i.self))
        }
        // Block b's patch quad q, lane j, byte e: patch position 4q + e = (tap, channel); and
        // −(zp + 128)·Σw per channel, each block's starting sums.
        for b in 0..<blocks {
            for t in 0..<taps {
                for c in 0..<cin {
                    let position = t * cin + c, to = weights + (b * 32 + position / 4) * 32 + position % 4
                    for j in 0..<min(8, p.output.channels - 8 * b) { to[4 * j] = weight(8 * b + j, t, c) }
                }
            }
            var correction = _mm256_setzero_si256()
            for q in 0..<quads { correction = D.dot(correction, paddingQuad, load(weights + (b * 32 + q) * 32)) }
            let biases = blockBiasesAVX2(bias, channel: 8 * b, rows: min(8, p.output.channels - 8 * b))
            UnsafeMutableRawPointer(starts + 32 * b).storeBytes(of: _mm256_sub_epi32(biases, correction), as: __m256i.self)
        }
        // Two blocks at a time (then a lone last block), each pair over the whole image: its requantization
        // is prepared once, and the patches gathered again per pair (at most four, for 64 channels).
        var block = 0
        while block < blocks {
            let second = min(block + 1, blocks - 1)
            let start0 = load(starts + 32 * block), start1 = load(starts + 32 * second)
            let outputs = BlockPairStore(requantization, channel: block * 8, rows: min(8, p.output.channels - block * 8),
                                         channel: second * 8, rows: min(8, p.output.channels - second * 8),
                                         outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax)
            let pair = outputs.wholePair(D.BlockPairRequantizer.self)
            for oy in 0..<p.output.height {
                var ox = 0
                while ox < p.output.width {
                    let pixels = min(4, p.output.width - ox)
                    gatherPatches(p, input: input, oy: oy, ox: ox, pixels: pixels, into: patches)
                    @inline(__always) func quad(_ k: Int, _ q: Int) -> __m256i {
                        _mm256_xor_si256(_mm256_set1_epi32(UnsafeRawPointer(patches + patchStride * k + 4 * q).loadUnaligned(as: Int32.self)), signFlip)
                    }
                    var a0 = start0, a1 = start0, a2 = start0, a3 = start0
                    var b0 = start1, b1 = start1, b2 = start1, b3 = start1
                    if second == block {  // a lone last block
                        for q in 0..<quads {
                            let v0 = load(weights + (block * 32 + q) * 32)
                            a0 = D.dot(a0, quad(0, q), v0); a1 = D.dot(a1, quad(1, q), v0)
                            a2 = D.dot(a2, quad(2, q), v0); a3 = D.dot(a3, quad(3, q), v0)
                        }
                    } else {
                        for q in 0..<quads {
                            let v0 = load(weights + (block * 32 + q) * 32), v1 = load(weights + (second * 32 + q) * 32)
                            var x = quad(0, q)
                            a0 = D.dot(a0, x, v0); b0 = D.dot(b0, x, v1)
                            x = quad(1, q)
                            a1 = D.dot(a1, x, v0); b1 = D.dot(b1, x, v1)
                            x = quad(2, q)
                            a2 = D.dot(a2, x, v0); b2 = D.dot(b2, x, v1)
                            x = quad(3, q)
                            a3 = D.dot(a3, x, v0); b3 = D.dot(b3, x, v1)
                        }
                    }
                    let out = output + (oy * p.output.width + ox) * p.output.channels
                    @inline(__always) func storePixel(_ k: Int, _ a: __m256i, _ b: __m256i) {
                        guard k < pixels else { return }
                        if let pair { pair.store(a, b, to: out + k * p.output.channels) } else { outputs.store(a, b, to: out + k * p.output.channels) }
                    }
                    storePixel(0, a0, b0)
                    storePixel(1, a1, b1)
                    storePixel(2, a2, b2)
                    storePixel(3, a3, b3)
                    ox += pixels
                }
            }
            block += 2
        }
    }
    }
    }
}
#endif
