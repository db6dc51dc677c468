#if arch(x86_64)
import _Builtin_intrinsics.intel

/// The geometry of a depthwise convolution, NHWC: input `[batch, height, width, channels /
/// multiplier]`, output `[batch, outHeight, outWidth, channels]` (output channel c reads input
/// channel c / multiplier; multiplier 1 or a multiple of 8), taps `kernelH × kernelW` at `stride`
/// and `dilation`, `padTop`/`padLeft` zeros before the first row and column. A tuple, not a
/// struct: a public struct here would get value-witness helpers (`__swift_memcpy…`) compiled for
/// AVX2 that the linker could share with code running on any CPU (Tools/check-isa-symbols.sh).
public typealias DepthwiseF32Geometry = (height: Int, width: Int, channels: Int, multiplier: Int, outHeight: Int, outWidth: Int,
                                         kernelH: Int, kernelW: Int, strideH: Int, strideW: Int, dilationH: Int, dilationW: Int,
                                         padTop: Int, padLeft: Int)

/// Depthwise convolution, float32, with AVX2 and FMA: `y[b, oy, ox, c] = bias[c] + Σ taps
/// x[b, iy, ix, c / multiplier] · w[ky, kx, c]` over the taps inside the image (with a multiplier
/// of 8 or more each block of eight outputs reads one input, broadcast). `taps` holds w tap-major:
/// `(ky · kernelW + kx) · channels + c`. Eight channels at a time stay in one register across
/// all taps (fused multiply-adds, so the last bits differ from the portable loop's).
/// Example: 3×3, stride 1, padding 1 on a 4×4×16 input: 16 output pixels × 2 channel blocks,
/// corner pixels summing 4 taps.
public func depthwiseConvF32AVX2FMA(_ x: UnsafePointer<Float>, batch: Int, _ g: DepthwiseF32Geometry, taps: UnsafePointer<Float>,
                                    bias: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
    let c = g.channels, m = g.multiplier, cin = c / m
    for b in 0..<batch {
        for oy in 0..<g.outHeight {
            // The kernel rows inside the image for this output row.
            let firstY = oy * g.strideH - g.padTop
            for ox in 0..<g.outWidth {
                let firstX = ox * g.strideW - g.padLeft
                let out = y + ((b * g.outHeight + oy) * g.outWidth + ox) * c
                var block = 0
                while block < c {
                    let lanes = min(8, c - block)
                    var acc = lanes == 8 ? _mm256_loadu_ps(bias + block) : partialLoad(bias + block, lanes)
                    for ky in 0..<g.kernelH {
                        let iy = firstY + ky * g.dilationH
                        if iy < 0 || iy >= g.height { continue }
                        let row = x + (b * g.height + iy) * g.width * cin
                        for kx in 0..<g.kernelW {
                            let ix = firstX + kx * g.dilationW
                            if ix < 0 || ix >= g.width { continue }
                            let w = taps + (ky * g.kernelW + kx) * c + block
                            let input = m == 1
                                ? (lanes == 8 ? _mm256_loadu_ps(row + ix * cin + block) : partialLoad(row + ix * cin + block, lanes))
                                : _mm256_set1_ps(row[ix * cin + block / m])
                            acc = _mm256_fmadd_ps(input, lanes == 8 ? _mm256_loadu_ps(w) : partialLoad(w, lanes), acc)
                        }
                    }
                    if lanes == 8 {
                        _mm256_storeu_ps(out + block, acc)
                    } else {
                        let values: SIMD8<Float> = acc
                        for j in 0..<lanes { out[block + j] = values[j] }
                    }
                    block += 8
                }
            }
        }
    }
}

/// The first `lanes` (< 8) floats at `p`, zeros after.
@inline(__always)
private func partialLoad(_ p: UnsafePointer<Float>, _ lanes: Int) -> __m256 {
    var v = SIMD8<Float>()
    for j in 0..<lanes { v[j] = p[j] }
    return v
}
#endif
