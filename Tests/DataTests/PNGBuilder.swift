import CZlib
import Runtime

/// Builds PNG files chunk by chunk, so tests can make every color type and bit depth (and
/// damage them) without depending on the decoder under test.
struct PNGBuilder {
    var width: Int
    var height: Int
    /// PNG color type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
    var colorType: UInt8
    var bitDepth: UInt8
    /// Packed sample bytes of each row, without the filter byte.
    var rows: [[UInt8]]
    var palette: [UInt8]? = nil
    var transparency: [UInt8]? = nil

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        let crc = typed.withUnsafeBytes { crc32(of: $0) }
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc)
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    var bytes: [UInt8] {
        var ihdr = Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
        ihdr += [bitDepth, colorType, 0, 0, 0]
        let raw: [UInt8] = rows.flatMap { [UInt8(0)] + $0 }
        var compressedSize = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        let status = compressed.withUnsafeMutableBufferPointer { dst in
            raw.withUnsafeBufferPointer { compress(dst.baseAddress, &compressedSize, $0.baseAddress, uLong(raw.count)) }
        }
        precondition(status == Z_OK, "zlib compress failed")
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += Self.chunk("IHDR", ihdr)
        if let palette { out += Self.chunk("PLTE", palette) }
        if let transparency { out += Self.chunk("tRNS", transparency) }
        out += Self.chunk("IDAT", Array(compressed[0..<Int(compressedSize)]))
        out += Self.chunk("IEND", [])
        return out
    }
}
