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
        var acc = SIMD8(lowHalf: low.total, highHalf: high.total)
        if let bias { for r in 0..<rows { acc[r] &+= bias[o + r] } }
        if rows == 8 {
            let y = Requantize8AVX2(requantization, channel: o, bias: nil, outputZeroPoint: p.outputZeroPoint,
                                    min: p.activationMin, max: p.activationMax)(unsafeBitCast(acc, to: __m256i.self))
            UnsafeMutableRawPointer(output + o).storeBytes(of: y, as: SIMD8<Int8>.self)
        } else {
            for r in 0..<rows {
                output[o + r] = clampToInt8(requantization.apply(acc[r], channel: o + r) + p.outputZeroPoint,
                                            p.activationMin, p.activationMax)
            }
        }
        o += rows
    }
}
#endif
