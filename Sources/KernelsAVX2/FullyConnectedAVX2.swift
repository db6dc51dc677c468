#if arch(x86_64)
import Runtime

/// `fully_connected_s8` with AVX2: the same contract and bytes; four weight rows at a time over
/// sixteen inputs per step (`dot4RowsAVX2`).
public func fully_connected_s8_avx2(_ p: FullyConnectedParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                    bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                    output: UnsafeMutablePointer<Int8>) {
    var o = 0
    while o < p.outputs {
        let rows = min(4, p.outputs - o)
        let w = filter + o * p.inputs
        var acc = dot4RowsAVX2(input, w, w + min(1, rows - 1) * p.inputs, w + min(2, rows - 1) * p.inputs,
                               w + min(3, rows - 1) * p.inputs, count: p.inputs, zeroPoint: p.inputZeroPoint)
        for r in 0..<rows {
            if let bias { acc[r] &+= bias[o + r] }
            output[o + r] = clampToInt8(requantization.apply(acc[r], channel: o + r) + p.outputZeroPoint,
                                        p.activationMin, p.activationMax)
        }
        o += rows
    }
}
#endif
