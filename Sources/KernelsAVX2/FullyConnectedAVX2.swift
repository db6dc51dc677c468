#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `fully_connected_s8` with AVX2: the same contract and bytes; eight weight rows at a time (`RowSums4`,
/// sixteen inputs per step), requantized together (`Requantize8AVX2`).
public func fully_connected_s8_avx2(_ p: FullyConnectedParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                    bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                    output: UnsafeMutablePointer<Int8>) {
    let offset = inputOffsetAVX2(p.inputZeroPoint)
    var o = 0
    while o < p.outputs {
        let rows = min(8, p.outputs - o)
        let w = filter + o * p.inputs
        func row(_ r: Int) -> UnsafePointer<Int8> { w + min(r, rows - 1) * p.inputs }
        var low = RowSums4(), high = RowSums4()
        low.add(input, row(0), row(1), row(2), row(3), count: p.inputs, offset: offset, zeroPoint: p.inputZeroPoint)
        if rows > 4 { high.add(input, row(4), row(5), row(6), row(7), count: p.inputs, offset: offset, zeroPoint: p.inputZeroPoint) }
        let acc = unsafeBitCast(SIMD8(lowHalf: low.total, highHalf: high.total), to: __m256i.self)
        if rows == 8 {
            Requantize8AVX2(requantization, channel: o, bias: bias, outputZeroPoint: p.outputZeroPoint,
                            min: p.activationMin, max: p.activationMax).store(acc, to: output + o)
        } else {
            storeRequantizedTailAVX2(acc, bias: bias, requantization, channel: o, rows: rows, outputZeroPoint: p.outputZeroPoint,
                                     min: p.activationMin, max: p.activationMax, to: output)
        }
        o += rows
    }
}
#endif
