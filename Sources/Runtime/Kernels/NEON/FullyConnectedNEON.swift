#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `fully_connected_s8` with AArch64 NEON: the same contract and bytes; four weight rows at a time
/// (`RowSums4NEON`, eight inputs per step), requantized together (`requantize4NEON`).
public func fully_connected_s8_neon(_ p: FullyConnectedParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                    bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                    output: UnsafeMutablePointer<Int8>) {
    let offset = vdupq_n_s16(Int16(truncatingIfNeeded: 0 &- p.inputZeroPoint))
    var o = 0
    while o < p.outputs {
        let rows = min(4, p.outputs - o)
        let w = filter + o * p.inputs
        var sums = RowSums4NEON()
        sums.add(input, w, w + min(1, rows - 1) * p.inputs, w + min(2, rows - 1) * p.inputs, w + min(3, rows - 1) * p.inputs,
                 count: p.inputs, offset: offset, zeroPoint: p.inputZeroPoint)
        storeRows4NEON(sums.total, rows: rows, channel: o, bias: bias, requantization, outputZeroPoint: p.outputZeroPoint,
                       min: p.activationMin, max: p.activationMax, to: output)
        o += rows
    }
}
#endif
