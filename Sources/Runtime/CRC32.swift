/// CRC-32 as used by zlib, PNG and gzip (reflected polynomial 0xEDB88320, initial value and final
/// XOR 0xFFFFFFFF). Both model formats (`model.bin`, `model.q8`) store it over their payload.
///
/// Computed four bits at a time from a 16-entry table held in registers, so it needs no global
/// table and no allocation (Embedded Swift clean).
///
/// Example: `crc32(of: "123456789" as UTF-8 bytes) == 0xCBF43926`, the standard check value.
public struct CRC32 {
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Folds `bytes` into the running checksum; calling it on consecutive pieces of a buffer gives
    /// the checksum of the whole buffer.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = ~value
        for byte in bytes {
            crc ^= UInt32(byte)
            crc = (crc >> 4) ^ CRC32.nibbleTable(Int(crc & 0xF))
            crc = (crc >> 4) ^ CRC32.nibbleTable(Int(crc & 0xF))
        }
        value = ~crc
    }

    /// The CRC of the single nibble `n` (the four-bit step of the reflected polynomial 0xEDB88320).
    @inline(__always)
    static func nibbleTable(_ n: Int) -> UInt32 {
        switch n {
        case 0: return 0x0000_0000
        case 1: return 0x1DB7_1064
        case 2: return 0x3B6E_20C8
        case 3: return 0x26D9_30AC
        case 4: return 0x76DC_4190
        case 5: return 0x6B6B_51F4
        case 6: return 0x4DB2_6158
        case 7: return 0x5005_713C
        case 8: return 0xEDB8_8320
        case 9: return 0xF00F_9344
        case 10: return 0xD6D6_A3E8
        case 11: return 0xCB61_B38C
        case 12: return 0x9B64_C2B0
        case 13: return 0x86D3_D2D4
        case 14: return 0xA00A_E278
        default: return 0xBDBD_F21C
        }
    }
}

/// CRC-32 of a whole buffer; see `CRC32`.
public func crc32(of bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc = CRC32()
    crc.update(bytes)
    return crc.value
}
