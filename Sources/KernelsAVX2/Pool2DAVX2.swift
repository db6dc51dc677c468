#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `max_pool2d_s8` with AVX2: the same contract and bytes; 32 channels at a time (vpmaxsb over the
/// window's cells inside the image, then the clamp), the last channels through the same loop in
/// scalar form.
public func max_pool2d_s8_avx2(_ p: Pool2DParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let c = p.input.channels
    let lo = _mm256_set1_epi8(Int8(truncatingIfNeeded: p.activationMin)), hi = _mm256_set1_epi8(Int8(truncatingIfNeeded: p.activationMax))
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let w = p.window(oy, ox)
            let out = output + (oy * p.output.width + ox) * c
            var ch = 0
            while ch + 32 <= c {
                var best = _mm256_set1_epi8(-128)
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 {
                        let v = _mm256_loadu_si256(UnsafeRawPointer(input + (y * p.input.width + x) * c + ch).assumingMemoryBound(to: __m256i.self))
                        best = _mm256_max_epi8(best, v)
                    }
                }
                _mm256_storeu_si256(UnsafeMutableRawPointer(out + ch).assumingMemoryBound(to: __m256i.self),
                                    _mm256_min_epi8(_mm256_max_epi8(best, lo), hi))
                ch += 32
            }
            while ch < c {
                var best: Int32 = -128
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 { best = max(best, Int32(input[(y * p.input.width + x) * c + ch])) }
                }
                out[ch] = clampToInt8(best, p.activationMin, p.activationMax)
                ch += 1
            }
        }
    }
}

/// `avg_pool2d_s8` with AVX2: the same contract and bytes. The window sums go eight channels at a
/// time in int32 lanes; the rounding division (halves away from zero, TFLite's rule) is done per
/// channel, exactly as the reference.
public func avg_pool2d_s8_avx2(_ p: Pool2DParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let c = p.input.channels
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let w = p.window(oy, ox)
            let n = Int32((w.y1 - w.y0) * (w.x1 - w.x0))
            let out = output + (oy * p.output.width + ox) * c
            var ch = 0
            while ch < c {
                let lanes = min(8, c - ch)
                var sums = SIMD8<Int32>(repeating: 0)
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 {
                        let cell = input + (y * p.input.width + x) * c + ch
                        if lanes == 8 {
                            sums &+= unsafeBitCast(_mm256_cvtepi8_epi32(_mm_loadl_epi64(UnsafeRawPointer(cell).assumingMemoryBound(to: __m128i.self))),
                                                   to: SIMD8<Int32>.self)
                        } else {
                            for l in 0..<lanes { sums[l] &+= Int32(cell[l]) }
                        }
                    }
                }
                for l in 0..<lanes { out[ch + l] = roundedAverage(sums[l], count: n, p.activationMin, p.activationMax) }
                ch += lanes
            }
        }
    }
}
#endif
