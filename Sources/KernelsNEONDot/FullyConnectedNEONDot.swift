#if arch(arm64)
import _Builtin_intrinsics.arm.neon
import Runtime

/// `fully_connected_s8` with the dot-product extension: the same contract and bytes. Four weight
/// rows at a time, sixteen inputs a step: per row one SDOT of the raw inputs against the row
/// (`Σ x·w` in four lanes) and one against sixteen ones (`Σ w`), so that the input offset is
/// taken off once: `Σ (x − zp)·w = Σ x·w − zp·Σ w`, exact in wrapping int32 as the reference's
/// sums; inputs past the last whole step are added one by one. Requantized four rows together
/// (`requantize4NEON`). Example: x = 5, zp = −3, w = 2 → 5·2 − (−3)·2 = 16. Never emitted into
/// client modules (compiled with +dotprod: see `conv2d_s8_packed_neondot`).
@export(interface)
public func fully_connected_s8_neondot(_ p: FullyConnectedParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                       bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                       output: UnsafeMutablePointer<Int8>) {
    let ones = vdupq_n_s8(1), zero = vdupq_n_s32(0), whole = p.inputs & ~15
    var o = 0
    while o < p.outputs {
        let rows = min(4, p.outputs - o)
        let w0 = filter + o * p.inputs, w1 = w0 + min(1, rows - 1) * p.inputs
        let w2 = w0 + min(2, rows - 1) * p.inputs, w3 = w0 + min(3, rows - 1) * p.inputs
        var (x0, x1, x2, x3) = (zero, zero, zero, zero)  // Σ x·w per row, four lanes each
        var (s0, s1, s2, s3) = (zero, zero, zero, zero)  // Σ w
        var i = 0
        while i < whole {
            let x = load16NEON(input + i)
            let v0 = load16NEON(w0 + i), v1 = load16NEON(w1 + i), v2 = load16NEON(w2 + i), v3 = load16NEON(w3 + i)
            x0 = vdotq_s32(x0, v0, x); s0 = vdotq_s32(s0, v0, ones)
            x1 = vdotq_s32(x1, v1, x); s1 = vdotq_s32(s1, v1, ones)
            x2 = vdotq_s32(x2, v2, x); s2 = vdotq_s32(s2, v2, ones)
            x3 = vdotq_s32(x3, v3, x); s3 = vdotq_s32(s3, v3, ones)
            i &+= 16
        }
        var products = SIMD4<Int32>(vaddvq_s32(x0), vaddvq_s32(x1), vaddvq_s32(x2), vaddvq_s32(x3))
        var weights = SIMD4<Int32>(vaddvq_s32(s0), vaddvq_s32(s1), vaddvq_s32(s2), vaddvq_s32(s3))
        while i < p.inputs {
            let w = SIMD4<Int32>(Int32(w0[i]), Int32(w1[i]), Int32(w2[i]), Int32(w3[i]))
            products &+= Int32(input[i]) &* w
            weights &+= w
            i &+= 1
        }
        storeRows4NEON(products &- p.inputZeroPoint &* weights, rows: rows, channel: o, bias: bias, requantization,
                       outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax, to: output)
        o += rows
    }
}
#endif
