#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `dwconv2d_s8` with AVX2: the same contract and bytes. With depth multiplier 1, channels go
/// eight at a time: per tap, eight inputs and eight weights sign-extended to int32 (vpmovsxbd),
/// the input offset added, multiplied (vpmulld, exact: |product| ≤ 255 · 127) and summed with
/// wrapping adds. Other multipliers use the reference kernel.
public func dwconv2d_s8_avx2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                             bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                             output: UnsafeMutablePointer<Int8>) {
    guard p.output.channels == p.input.channels else {
        return dwconv2d_s8(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output)
    }
    let channels = p.output.channels
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
                        let src = input + (iy * p.input.width + ix) * channels + c
                        let w = filter + (ky * p.kernelW + kx) * channels + c
                        if lanes == 8 {
                            let product = _mm256_mullo_epi32(_mm256_add_epi32(widen8(src), offset), widen8(w))
                            acc &+= unsafeBitCast(product, to: SIMD8<Int32>.self)
                        } else {
                            for l in 0..<lanes { acc[l] &+= (Int32(src[l]) &- p.inputZeroPoint) &* Int32(w[l]) }
                        }
                    }
                }
                for l in 0..<lanes {
                    out[c + l] = clampToInt8(requantization.apply(acc[l], channel: c + l) + p.outputZeroPoint,
                                             p.activationMin, p.activationMax)
                }
                c += lanes
            }
        }
    }
}
#endif
