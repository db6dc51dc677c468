#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `dwconv2d_s8` with AVX2: the same contract and bytes. Output channels go eight at a time: per
/// tap, eight inputs (contiguous with depth multiplier 1, gathered lane by lane otherwise, as for a
/// one-channel stem with multiplier 16) and eight weights sign-extended to int32, the input offset
/// added, multiplied (vpmulld, exact: |product| ≤ 255 · 127) and summed with wrapping adds; the
/// eight accumulators are requantized together (`requantize8AVX2`).
public func dwconv2d_s8_avx2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                             bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                             output: UnsafeMutablePointer<Int8>) {
    let channels = p.output.channels, inChannels = p.input.channels
    let multiplier = channels / inChannels
    let offset = _mm256_set1_epi32(0 &- p.inputZeroPoint)
    @inline(__always) func widen8(_ q: UnsafePointer<Int8>) -> __m256i {
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(UnsafeRawPointer(q).assumingMemoryBound(to: __m128i.self)))
    }
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let out = output + (oy * p.output.width + ox) * channels
            var c = 0
            while c < channels {
                let lanes = min(8, channels - c)
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
                            if c / multiplier == (c + 7) / multiplier {
                                x = _mm256_set1_epi32(Int32(pixel[c / multiplier]))
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
                    let y = requantize8AVX2(unsafeBitCast(acc, to: __m256i.self), requantization, channel: c,
                                            outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax)
                    UnsafeMutableRawPointer(out + c).storeBytes(of: y, as: SIMD8<Int8>.self)
                } else {
                    for l in 0..<lanes {
                        out[c + l] = clampToInt8(requantization.apply(acc[l], channel: c + l) + p.outputZeroPoint,
                                                 p.activationMin, p.activationMax)
                    }
                }
                c += lanes
            }
        }
    }
}
#endif
