import Testing
@testable import Runtime

@Suite struct CRC32Tests {
    /// Bit-at-a-time CRC-32, the textbook definition, to check the byte table against.
    func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    @Test func standardCheckValue() {
        let bytes = Array("123456789".utf8)
        #expect(bytes.withUnsafeBytes { crc32(of: $0) } == 0xCBF4_3926)
        #expect([UInt8]().withUnsafeBytes { crc32(of: $0) } == 0)
    }

    @Test func matchesBitwiseDefinitionAndIsIncremental() {
        var rng = SystemRandomNumberGenerator()
        for length in [1, 2, 3, 15, 16, 17, 255, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let whole = bytes.withUnsafeBytes { crc32(of: $0) }
            #expect(whole == bitwiseCRC32(bytes))
            let cut = length / 3
            var running = CRC32()
            bytes.withUnsafeBytes { running.update(UnsafeRawBufferPointer(rebasing: $0[..<cut])) }
            bytes.withUnsafeBytes { running.update(UnsafeRawBufferPointer(rebasing: $0[cut...])) }
            #expect(running.value == whole)
        }
        for n in 0..<256 { #expect(crc32ByteTable[n] == byteByDefinition(n)) }
    }

    func byteByDefinition(_ n: Int) -> UInt32 {
        var crc = UInt32(n)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        return crc
    }
}
