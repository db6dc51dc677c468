#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `lut_s8` with AArch64 NEON: the same contract and bytes, sixteen values at a time. The 256-entry
/// table is held in sixteen registers as four 64-byte quarters; each input's index `x + 128` (the
/// byte with its top bit flipped) looks up the first quarter (TBL, zero out of range), and the
/// index less 64, 128 and 192 the other three (TBX keeps the byte where the index is out of its
/// quarter), XNNPACK's x8-lut shape. Safe in place (`input == output`): each block of sixteen is
/// read before it is written.
/// Example: a hard-swish table; input −128 reads entry 0, input 127 entry 255.
public func lut_s8_neon(input: UnsafePointer<Int8>, count: Int, table: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    @inline(__always) func quarter(_ k: Int) -> int8x16x4_t {
        let q = UnsafeRawPointer(table + 64 * k)
        return int8x16x4_t(val: (q.loadUnaligned(as: int8x16_t.self), q.loadUnaligned(fromByteOffset: 16, as: int8x16_t.self),
                                 q.loadUnaligned(fromByteOffset: 32, as: int8x16_t.self), q.loadUnaligned(fromByteOffset: 48, as: int8x16_t.self)))
    }
    let t0 = quarter(0), t1 = quarter(1), t2 = quarter(2), t3 = quarter(3)
    let flip = vdupq_n_u8(0x80), step = vdupq_n_u8(64)
    var i = 0
    while i + 16 <= count {
        let index = veorq_u8(UnsafeRawPointer(input + i).loadUnaligned(as: uint8x16_t.self), flip)
        var y = vqtbl4q_s8(t0, index)
        let i1 = vsubq_u8(index, step), i2 = vsubq_u8(i1, step), i3 = vsubq_u8(i2, step)
        y = vqtbx4q_s8(y, t1, i1)
        y = vqtbx4q_s8(y, t2, i2)
        y = vqtbx4q_s8(y, t3, i3)
        UnsafeMutableRawPointer(output + i).storeBytes(of: y, as: int8x16_t.self)
        i += 16
    }
    if i < count { lut_s8(input: input + i, count: count - i, table: table, output: output + i) }
}
#endif
