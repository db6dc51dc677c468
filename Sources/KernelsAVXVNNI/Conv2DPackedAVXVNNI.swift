#if arch(x86_64)
import _Builtin_intrinsics.intel
import KernelsAVX2
import Runtime

/// `conv2d_s8` with AVX-VNNI over a filter in the `convQuads8` layout (`packConvQuads8`; a conv
/// op's input 5): the same contract and bytes as the reference, sixteen output channels (two
/// blocks) by four output pixels of a row at a time; a stem (fewer than four input channels) as
/// one GEMM over its whole patch (`conv2dPackedStemDotProduct`).
///
/// vpdpbusd multiplies four unsigned bytes by four signed bytes per 32-bit lane and adds the four
/// products to the lane, without saturation (vpdpbusds would saturate; it is not used). The input
/// quad is made unsigned by flipping its sign bits, `u = x + 128`, so
/// `Σ (x − zp)·w = Σ u·w − (zp + 128)·Σ w`. The second term does not depend on the pixel: it is
/// computed once per block with the same instruction (the quad `zp + 128` against every weight)
/// and subtracted from the bias that starts every accumulator (the requantization then adds none;
/// two whole blocks are requantized together, `DotProduct8.BlockPairRequantizer`). A tap in the padding reads the
/// quad `zp + 128`, which cancels exactly; channels past the group's end have zero weights.
/// Sums wrap in int32 exactly as the reference's `&+=`, so the bytes agree. Example: x = 5,
/// zp = −3, w = 2 → u = 133, 133·2 − 125·2 = 16 = (5 + 3)·2.
public func conv2d_s8_packed_avxvnni(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                     bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                     output: UnsafeMutablePointer<Int8>) {
    conv2dPackedDotProduct(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output,
                           dot: AVXVNNIDotProduct.self)
}

/// AVX-VNNI's vpdpbusd (VEX).
public enum AVXVNNIDotProduct: DotProduct8 {
    public typealias BlockPairRequantizer = RequantizeBlockPairAVX2
    @inlinable @inline(__always)
    public static func dot(_ acc: __m256i, _ u: __m256i, _ s: __m256i) -> __m256i { _mm256_dpbusd_avx_epi32(acc, u, s) }
}

/// The tile `conv2dPackedDotProduct` runs `p` in (part of the kernel's name): a stem's patch GEMM
/// or four pixels by two blocks of eight channels, both over quads of input channels.
public func conv2dPackedTileVNNI(_ p: Conv2DParams) -> StaticString { p.takesStemPath ? "patch4x16c4" : "4x16c4" }

/// The body of `conv2d_s8_packed_avxvnni` for any vpdpbusd encoding `D`; a stem
/// (`Conv2DParams.takesStemPath`) goes to `conv2dPackedStemDotProduct`.
@inlinable
public func conv2dPackedDotProduct<D: DotProduct8>(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                                   bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                                   output: UnsafeMutablePointer<Int8>, dot: D.Type) {
    if p.takesStemPath {
        return conv2dPackedStemDotProduct(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output,
                                          dot: D.self)
    }
    let cinPerGroup = p.input.channels / p.groups, coutPerGroup = p.output.channels / p.groups
    let layout = ConvQuads8Layout(p), quads = layout.quads, blocks = layout.blocksPerGroup
    let fullQuads = cinPerGroup / 4, blockBytes = layout.blockBytes
    let shiftedZeroPoint = UInt32(truncatingIfNeeded: p.inputZeroPoint &+ 128) & 0xFF
    let paddingQuad = _mm256_set1_epi32(Int32(bitPattern: shiftedZeroPoint &* 0x0101_0101))
    let quads4 = UnsignedQuads(p, input: input)

    // A pixel of the zero point in the caller's scratch (`Conv2DOp.scratchBytes`): what taps in
    // the padding (and pixels past a row's end) read.
    guard let scratch = p.scratch else {
        conv2d_s8_packed_avx2(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output)
        return
    }
    let paddingBuffer = scratch.bindMemory(to: Int8.self, capacity: 4 * quads)
    paddingBuffer.initialize(repeating: Int8(truncatingIfNeeded: p.inputZeroPoint), count: 4 * quads)
    let paddingPixel = UnsafePointer(paddingBuffer)
    for group in 0..<p.groups {
        var block = 0
        while block < blocks {
            // Two blocks at a time; a lone last block is computed twice and stored once.
            let second = min(block + 1, blocks - 1)
            let w0 = packed + (group * blocks + block) * blockBytes, w1 = packed + (group * blocks + second) * blockBytes
            let o0 = group * coutPerGroup + block * 8, o1 = group * coutPerGroup + second * 8
            let rows0 = min(8, coutPerGroup - block * 8), rows1 = min(8, coutPerGroup - second * 8)
            // −(zp + 128)·Σw per channel.
            var correction0 = _mm256_setzero_si256(), correction1 = _mm256_setzero_si256()
            for k in 0..<(layout.taps * quads) {
                correction0 = D.dot(correction0, paddingQuad, load32(w0 + 32 * k))
                correction1 = D.dot(correction1, paddingQuad, load32(w1 + 32 * k))
            }
            let start0 = _mm256_sub_epi32(blockBiasesAVX2(bias, channel: o0, rows: rows0), correction0)
            let start1 = _mm256_sub_epi32(blockBiasesAVX2(bias, channel: o1, rows: rows1), correction1)
            let outputs = BlockPairStore(requantization, channel: o0, rows: rows0, channel: o1, rows: rows1,
                                         outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax)
            let pair = outputs.wholePair(D.BlockPairRequantizer.self)

            for oy in 0..<p.output.height {
                var ox = 0
                while ox < p.output.width {
                    let pixels = min(4, p.output.width - ox)
                    var a0 = start0, a1 = start0, a2 = start0, a3 = start0
                    var b0 = start1, b1 = start1, b2 = start1, b3 = start1
                    for ky in 0..<p.kernelH {
                        let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                        let rowInside = iy >= 0 && iy < p.input.height
                        let line = input + (rowInside ? iy * p.input.width * p.input.channels + group * cinPerGroup : 0)
                        for kx in 0..<p.kernelW {
                            /// Pixel `k`'s input at this tap; the padding pixel outside the image or past the row's end.
                            @inline(__always) func source(_ k: Int) -> UnsafePointer<Int8> {
                                let ix = (ox + k) * p.strideW - p.padLeft + kx * p.dilationW
                                return rowInside && k < pixels && ix >= 0 && ix < p.input.width ? line + ix * p.input.channels : paddingPixel
                            }
                            let s0 = source(0), s1 = source(1), s2 = source(2), s3 = source(3)
                            let t = (ky * p.kernelW + kx) * layout.tapBytes
                            // Full quads in a branch-free loop, then the partial one: one loop
                            // choosing per quad measured 35 % slower on mbv2's pointwise convs.
                            var j = 0
                            while j < fullQuads {
                                let v0 = load32(w0 + t + 32 * j), v1 = load32(w1 + t + 32 * j)
                                var x = quads4.full(s0, j)
                                a0 = D.dot(a0, x, v0); b0 = D.dot(b0, x, v1)
                                x = quads4.full(s1, j)
                                a1 = D.dot(a1, x, v0); b1 = D.dot(b1, x, v1)
                                x = quads4.full(s2, j)
                                a2 = D.dot(a2, x, v0); b2 = D.dot(b2, x, v1)
                                x = quads4.full(s3, j)
                                a3 = D.dot(a3, x, v0); b3 = D.dot(b3, x, v1)
                                j += 1
                            }
                            if j < quads {
                                let v0 = load32(w0 + t + 32 * j), v1 = load32(w1 + t + 32 * j)
                                var x = quads4.partial(s0, j)
                                a0 = D.dot(a0, x, v0); b0 = D.dot(b0, x, v1)
                                x = quads4.partial(s1, j)
                                a1 = D.dot(a1, x, v0); b1 = D.dot(b1, x, v1)
                                x = quads4.partial(s2, j)
                                a2 = D.dot(a2, x, v0); b2 = D.dot(b2, x, v1)
                                x = quads4.partial(s3, j)
                                a3 = D.dot(a3, x, v0); b3 = D.dot(b3, x, v1)
                            }
                        }
                    }
                    let out = output + (oy * p.output.width + ox) * p.output.channels
                    let c = p.output.channels
                    @inline(__always) func storePixel(_ k: Int, _ a: __m256i, _ b: __m256i) {
                        guard k < pixels else { return }
                        if let pair { pair.store(a, b, to: out + k * c) } else { outputs.store(a, b, to: out + k * c) }
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

/// Input quads (four bytes of one pixel's channels) made unsigned for vpdpbusd (`u = x + 128`,
/// the sign bits flipped) and broadcast to every lane: what the packed kernels multiply by eight
/// output channels' weights at once.
@frozen public struct UnsignedQuads {
    @usableFromInline let signFlip = _mm256_set1_epi32(Int32(bitPattern: 0x8080_8080))
    @usableFromInline let inputEnd: UnsafePointer<Int8>
    @usableFromInline let channelsPerGroup: Int

    @inlinable @inline(__always)
    public init(_ p: Conv2DParams, input: UnsafePointer<Int8>) {
        inputEnd = input + p.input.height * p.input.width * p.input.channels
        channelsPerGroup = p.input.channels / p.groups
    }

    /// Quad `j` at `src`, whole.
    @inlinable @inline(__always)
    public func full(_ src: UnsafePointer<Int8>, _ j: Int) -> __m256i {
        _mm256_xor_si256(_mm256_set1_epi32(UnsafeRawPointer(src + 4 * j).loadUnaligned(as: Int32.self)), signFlip)
    }

    /// Quad `j` at `src` where the group's channels end inside it: the bytes past them meet zero
    /// weights, so four bytes are read at once unless that would pass the end of the input.
    @inlinable @inline(__always)
    public func partial(_ src: UnsafePointer<Int8>, _ j: Int) -> __m256i {
        if src + 4 * j + 4 <= inputEnd { return full(src, j) }
        var bytes: UInt32 = 0
        for e in 0..<min(4, channelsPerGroup - 4 * j) { bytes |= UInt32(UInt8(bitPattern: src[4 * j + e])) << (8 * e) }
        return _mm256_xor_si256(_mm256_set1_epi32(Int32(bitPattern: bytes)), signFlip)
    }
}

@inlinable @inline(__always)
func load32(_ p: UnsafePointer<Int8>) -> __m256i {
    _mm256_loadu_si256(UnsafeRawPointer(p).assumingMemoryBound(to: __m256i.self))
}
#endif
