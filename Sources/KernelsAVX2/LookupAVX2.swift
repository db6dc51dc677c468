#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `lut_s8` with AVX2: the same contract and bytes, thirty-two values at a time. The 256-entry
/// table is held as sixteen 16-byte rows, each in both halves of a register; each input's index
/// `x + 128` (the byte with its top bit flipped) picks its entry from every row by its low four
/// bits (vpshufb), and the row its high four bits name is kept (vpcmpeqb, vpand, vpor): sixteen
/// lookups a block, exact for every index. Safe in place (`input == output`): each block is read
/// before it is written.
/// Example: a hard-swish table; input −128 reads entry 0 (row 0), input 127 entry 255 (row 15).
public func lut_s8_avx2(input: UnsafePointer<Int8>, count: Int, table: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    var rows = InlineArray<16, SIMD32<Int8>>(repeating: SIMD32<Int8>())
    for k in 0..<16 {
        let row = _mm_loadu_si128(UnsafeRawPointer(table + 16 * k).assumingMemoryBound(to: __m128i.self))
        rows[k] = unsafeBitCast(_mm256_broadcastsi128_si256(row), to: SIMD32<Int8>.self)
    }
    let flip = _mm256_set1_epi8(-128), lowBits = _mm256_set1_epi8(0x0F)
    var i = 0
    while i + 32 <= count {
        let index = _mm256_xor_si256(_mm256_loadu_si256(UnsafeRawPointer(input + i).assumingMemoryBound(to: __m256i.self)), flip)
        let low = _mm256_and_si256(index, lowBits), high = _mm256_and_si256(_mm256_srli_epi16(index, 4), lowBits)
        var y = _mm256_setzero_si256()
        for k in 0..<16 {
            let entries = _mm256_shuffle_epi8(unsafeBitCast(rows[k], to: __m256i.self), low)
            y = _mm256_or_si256(y, _mm256_and_si256(entries, _mm256_cmpeq_epi8(high, _mm256_set1_epi8(Int8(k)))))
        }
        _mm256_storeu_si256(UnsafeMutableRawPointer(output + i).assumingMemoryBound(to: __m256i.self), y)
        i += 32
    }
    if i < count { lut_s8(input: input + i, count: count - i, table: table, output: output + i) }
}
#endif
