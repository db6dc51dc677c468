/// The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type byte (0x08 = unsigned byte),
/// a dimension count, that many big-endian u32 sizes, then the values row-major.
/// Example: the Fashion-MNIST test images are `00 00 08 03 | 10000 | 28 | 28 | 7,840,000 bytes`.
public struct IDXArray: Hashable, Sendable {
    public var dims: [Int]
    public var values: [UInt8]

    public init(dims: [Int], values: [UInt8]) {
        self.dims = dims
        self.values = values
    }

    /// The IDX encoding of this array (unsigned-byte type).
    public var encoded: [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
        for d in dims { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return out + values
    }

    /// Parses one or more IDX arrays stored back to back. Only the unsigned-byte type is read.
    public static func parseAll(_ bytes: [UInt8], source: String) throws(DataError) -> [IDXArray] {
        var arrays: [IDXArray] = []
        var at = 0
        repeat {
            func fail(_ what: String) -> DataError { DataError("\(source): IDX \(what) at byte \(at)") }
            guard bytes.count - at >= 4 else { throw fail("header is truncated") }
            guard bytes[at] == 0, bytes[at + 1] == 0 else { throw fail("magic is not 00 00 (not an IDX file)") }
            guard bytes[at + 2] == 0x08 else {
                throw fail("type 0x\(String(bytes[at + 2], radix: 16)) is not supported (only unsigned bytes, 0x08)")
            }
            let rank = Int(bytes[at + 3])
            guard (1...4).contains(rank) else { throw fail("has \(rank) dimensions, expected 1 to 4") }
            at += 4
            guard bytes.count - at >= 4 * rank else { throw fail("dimensions are truncated") }
            var dims: [Int] = []
            var count = 1
            for _ in 0..<rank {
                let d = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
                dims.append(d)
                count = count.multipliedReportingOverflow(by: d).overflow ? Int.max : count * d
                at += 4
            }
            guard count <= bytes.count - at else {
                throw fail("shape \(dims) needs \(count) bytes, only \(bytes.count - at) remain (truncated)")
            }
            arrays.append(IDXArray(dims: dims, values: Array(bytes[at..<(at + count)])))
            at += count
        } while at < bytes.count
        return arrays
    }

    /// Reads a file (gzip-compressed or not) holding exactly one IDX array.
    public static func read(path: String) throws(DataError) -> IDXArray {
        let arrays = try parseAll(try Gzip.read(path: path), source: path)
        guard arrays.count == 1 else { throw DataError("\(path): holds \(arrays.count) IDX arrays, expected 1") }
        return arrays[0]
    }
}
