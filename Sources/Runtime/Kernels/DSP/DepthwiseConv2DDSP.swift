#if MINNOW_DSP
import _Builtin_intrinsics.arm.acle

/// `dwconv2d_s8` for Cortex-M4/M7 with the DSP extension (built with -D MINNOW_DSP): the same
/// contract and bytes. With depth multiplier 1, channels go four at a time: one word of inputs and
/// one of weights per tap, unpacked by SXTAB16/SXTB16 into 16-bit halves, and SMLABB/SMLATT add
/// each half's product to its own channel's accumulator. Other multipliers use the reference.
public func dwconv2d_s8_dsp(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                            bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                            output: UnsafeMutablePointer<Int8>) {
    guard p.output.channels == p.input.channels else {
        return dwconv2d_s8(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output)
    }
    let channels = p.output.channels
    let pair = offsetPairDSP(p.inputZeroPoint)
    @inline(__always) func store(_ acc: Int32, _ c: Int, _ out: UnsafeMutablePointer<Int8>) {
        out[c] = clampToInt8(requantization.apply(acc, channel: c) &+ p.outputZeroPoint, p.activationMin, p.activationMax)
    }
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let out = output + (oy * p.output.width + ox) * channels
            var c = 0
            while c + 4 <= channels {
                var a0: Int32 = bias?[c] ?? 0, a1: Int32 = bias?[c + 1] ?? 0
                var a2: Int32 = bias?[c + 2] ?? 0, a3: Int32 = bias?[c + 3] ?? 0
                for ky in 0..<p.kernelH {
                    let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                    if iy < 0 || iy >= p.input.height { continue }
                    for kx in 0..<p.kernelW {
                        let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                        if ix < 0 || ix >= p.input.width { continue }
                        let xv = load4(input + (iy * p.input.width + ix) * channels + c)
                        let wv = load4(filter + (ky * p.kernelW + kx) * channels + c)
                        let x02 = __sxtab16(pair, xv), x13 = __sxtab16(pair, rotated8(xv))
                        let w02 = __sxtb16(wv), w13 = __sxtb16(rotated8(wv))
                        a0 = __smlabb(x02, w02, a0)
                        a2 = __smlatt(x02, w02, a2)
                        a1 = __smlabb(x13, w13, a1)
                        a3 = __smlatt(x13, w13, a3)
                    }
                }
                store(a0, c, out)
                store(a1, c + 1, out)
                store(a2, c + 2, out)
                store(a3, c + 3, out)
                c += 4
            }
            while c < channels {
                var acc: Int32 = bias?[c] ?? 0
                for ky in 0..<p.kernelH {
                    let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                    if iy < 0 || iy >= p.input.height { continue }
                    for kx in 0..<p.kernelW {
                        let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                        if ix < 0 || ix >= p.input.width { continue }
                        let x = Int32(input[(iy * p.input.width + ix) * channels + c])
                        acc &+= (x - p.inputZeroPoint) * Int32(filter[(ky * p.kernelW + kx) * channels + c])
                    }
                }
                store(acc, c, out)
                c += 1
            }
        }
    }
}
#endif
