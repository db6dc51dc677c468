#if MINNOW_DSP
/// `conv2d_s8` for Cortex-M4/M7 with the DSP extension (built with -D MINNOW_DSP): the same
/// contract, layouts and bytes. Per output pixel, output channels go in pairs of the same group,
/// each tap's input channels four at a time through SXTAB16/SXTB16 and SMLAD (`dot2S8DSP`).
public func conv2d_s8_dsp(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                          bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                          output: UnsafeMutablePointer<Int8>) {
    let cinPerGroup = p.input.channels / p.groups
    let coutPerGroup = p.output.channels / p.groups
    let filterStride = p.kernelH * p.kernelW * cinPerGroup
    let pair = offsetPairDSP(p.inputZeroPoint)
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let out = output + (oy * p.output.width + ox) * p.output.channels
            var o = 0
            while o < p.output.channels {
                let group = o / coutPerGroup
                let both = o + 1 < (group + 1) * coutPerGroup
                var acc0: Int32 = bias?[o] ?? 0
                var acc1: Int32 = both ? (bias?[o + 1] ?? 0) : 0
                for ky in 0..<p.kernelH {
                    let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                    if iy < 0 || iy >= p.input.height { continue }
                    for kx in 0..<p.kernelW {
                        let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                        if ix < 0 || ix >= p.input.width { continue }
                        let src = input + (iy * p.input.width + ix) * p.input.channels + group * cinPerGroup
                        let w = filter + ((o * p.kernelH + ky) * p.kernelW + kx) * cinPerGroup
                        if both {
                            (acc0, acc1) = dot2S8DSP(src, w, w + filterStride, count: cinPerGroup, offsetPair: pair, acc0, acc1)
                        } else {
                            acc0 = dotS8DSP(src, w, count: cinPerGroup, offsetPair: pair, acc0)
                        }
                    }
                }
                out[o] = clampToInt8(requantization.apply(acc0, channel: o) &+ p.outputZeroPoint, p.activationMin, p.activationMax)
                if both {
                    out[o + 1] = clampToInt8(requantization.apply(acc1, channel: o + 1) &+ p.outputZeroPoint, p.activationMin, p.activationMax)
                }
                o += both ? 2 : 1
            }
        }
    }
}
#endif
