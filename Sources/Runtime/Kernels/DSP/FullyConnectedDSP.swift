#if MINNOW_DSP
/// `fully_connected_s8` for Cortex-M4/M7 with the DSP extension (built with -D MINNOW_DSP): the
/// same contract and bytes; two weight rows at a time, four inputs per SMLAD pair (`dot2S8DSP`).
public func fully_connected_s8_dsp(_ p: FullyConnectedParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                   bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                   output: UnsafeMutablePointer<Int8>) {
    let pair = offsetPairDSP(p.inputZeroPoint)
    var o = 0
    while o + 2 <= p.outputs {
        let row = filter + o * p.inputs
        let (acc0, acc1) = dot2S8DSP(input, row, row + p.inputs, count: p.inputs, offsetPair: pair,
                                     bias?[o] ?? 0, bias?[o + 1] ?? 0)
        output[o] = clampToInt8(requantization.apply(acc0, channel: o) &+ p.outputZeroPoint, p.activationMin, p.activationMax)
        output[o + 1] = clampToInt8(requantization.apply(acc1, channel: o + 1) &+ p.outputZeroPoint, p.activationMin, p.activationMax)
        o += 2
    }
    if o < p.outputs {
        let acc = dotS8DSP(input, filter + o * p.inputs, count: p.inputs, offsetPair: pair, bias?[o] ?? 0)
        output[o] = clampToInt8(requantization.apply(acc, channel: o) &+ p.outputZeroPoint, p.activationMin, p.activationMax)
    }
}
#endif
