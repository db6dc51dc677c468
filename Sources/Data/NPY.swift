import Foundation

/// A NumPy `.npy` array (format versions 1 to 3, C order): float32, float64, int8, uint8, int32
/// or int64 on read, held as `Float` (int8 values also kept exactly in `int8` when the file's type
/// is int8); float32 or int8 on write. Example: `np.save("x.npy", np.zeros((2, 28, 28, 1), np.float32))`
/// reads as dims `[2, 28, 28, 1]` with 1,568 zeros.
public struct NPYArray: Sendable {
    public var dims: [Int]
    public var values: [Float]
    /// The values, when the file holds int8 (model.q8 tensors go in and out unchanged).
    public var int8: [Int8]?

    public init(dims: [Int], values: [Float]) {
        self.dims = dims
        self.values = values
        int8 = nil
    }

    public init(dims: [Int], int8: [Int8]) {
        self.dims = dims
        values = int8.map(Float.init)
        self.int8 = int8
    }

    public var count: Int { values.count }

    public static func read(path: String) throws(DataError) -> NPYArray {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError("\(path): cannot read the file") }
        do { return try decode([UInt8](data)) } catch { throw DataError("\(path): \(error.description)") }
    }

    public static func decode(_ bytes: [UInt8]) throws(DataError) -> NPYArray {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw DataError("not a .npy file (no \\x93NUMPY magic)") }
        let major = bytes[6]
        let headerLength: Int, start: Int
        switch major {
        case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError("truncated .npy header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }; start = 12
        default: throw DataError(".npy format version \(major) is not supported")
        }
        guard headerLength <= bytes.count - start else { throw DataError("truncated .npy header") }
        let header = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        func field(_ key: String) -> Substring? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return header[r.upperBound...].drop { $0 == " " }
        }
        guard let descr = field("descr"), descr.first == "'", let end = descr.dropFirst().firstIndex(of: "'") else {
            throw DataError(".npy header has no descr: \(header)")
        }
        let type = String(descr[descr.index(after: descr.startIndex)..<end])
        if let order = field("fortran_order"), order.hasPrefix("True") { throw DataError("Fortran-ordered .npy arrays are not supported") }
        guard let shapeText = field("shape"), shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw DataError(".npy header has no shape: \(header)")
        }
        let parts = shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var dims: [Int] = []
        var count = 1
        for p in parts {
            guard let d = Int(p), d >= 0 else { throw DataError(".npy shape '\(p)' is not a size") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= 1 << 31 else { throw DataError(".npy shape \(parts) is too large") }
            dims.append(d)
            count = product
        }
        let widths = ["<f4": 4, "<f8": 8, "|i1": 1, "i1": 1, "|u1": 1, "u1": 1, "<i4": 4, "<i8": 8]
        guard let width = widths[type] else { throw DataError(".npy type '\(type)' is not supported (float32, float64, int8, uint8, int32, int64 are)") }
        let body = start + headerLength
        guard bytes.count - body == count * width else {
            throw DataError(".npy holds \(bytes.count - body) data bytes, its shape \(dims) of \(type) needs \(count * width)")
        }
        return bytes.withUnsafeBytes { raw -> NPYArray in
            let p = raw.baseAddress! + body
            switch type {
            case "|i1", "i1": return NPYArray(dims: dims, int8: (0..<count).map { p.load(fromByteOffset: $0, as: Int8.self) })
            case "|u1", "u1": return NPYArray(dims: dims, values: (0..<count).map { Float(p.load(fromByteOffset: $0, as: UInt8.self)) })
            case "<f4": return NPYArray(dims: dims, values: (0..<count).map { Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) })
            case "<f8": return NPYArray(dims: dims, values: (0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))) })
            case "<i4": return NPYArray(dims: dims, values: (0..<count).map { Float(Int32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) })
            default: return NPYArray(dims: dims, values: (0..<count).map { Float(Int64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) })
            }
        }
    }

    /// The file's bytes: version 1.0, float32 (`<f4`), or int8 (`|i1`) when `int8` is set.
    public func encoded() -> [UInt8] {
        let type = int8 == nil ? "<f4" : "|i1"
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(type)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        out += Array(header.utf8)
        if let int8 {
            out += int8.map { UInt8(bitPattern: $0) }
        } else {
            out.reserveCapacity(out.count + 4 * values.count)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        }
        return out
    }
}
