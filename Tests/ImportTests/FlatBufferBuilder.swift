import Foundation

/// A minimal FlatBuffer writer for tests: tables, vectors and strings laid out parent before
/// child, so that every offset points forward, as the format requires. Enough to write the
/// .tflite files of single-op cases (`GoldenTFLiteTests`).
indirect enum FlatValue {
    case int8(Int8), uint8(UInt8), int32(Int32), uint32(UInt32), float(Float), bool(Bool)
    case table([Int: FlatValue])
    case tables([[Int: FlatValue]])
    case bytes([UInt8], alignment: Int)
    case int32s([Int32])
    case int64s([Int64])
    case floats([Float])
    case string(String)

    /// Size of an inline scalar, or 4 for an offset.
    var inlineSize: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        default: return 4
        }
    }
    var isOffset: Bool {
        switch self {
        case .table, .tables, .bytes, .int32s, .int64s, .floats, .string: return true
        default: return false
        }
    }
}

struct FlatBufferBuilder {
    var bytes: [UInt8] = []

    mutating func align(_ n: Int, plus: Int = 0) { while (bytes.count + plus) % n != 0 { bytes.append(0) } }
    mutating func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func patch(_ at: Int, _ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) } }

    /// A file whose root is `root`, with the 4-byte identifier.
    static func file(root: [Int: FlatValue], identifier: String) -> [UInt8] {
        var b = FlatBufferBuilder()
        b.put(UInt32(0))
        b.bytes += Array(identifier.utf8)
        let at = b.table(root)
        b.patch(0, UInt32(at))
        return b.bytes
    }

    /// Writes a table (its vtable first) and then its children; returns the table's position.
    mutating func table(_ fields: [Int: FlatValue]) -> Int {
        let ids = fields.keys.sorted()
        let count = (ids.last ?? -1) + 1
        // Table layout: soffset, then fields in id order, each aligned to its size.
        var layout: [Int: Int] = [:], size = 4
        for id in ids {
            let s = fields[id]!.inlineSize
            while size % s != 0 { size += 1 }
            layout[id] = size
            size += s
        }
        while size % 4 != 0 { size += 1 }
        align(4, plus: 4 + 2 * count)  // the vtable then ends where the table starts, 4-aligned
        let vtable = bytes.count
        put(UInt16(4 + 2 * count))
        put(UInt16(size))
        for id in 0..<count { put(UInt16(layout[id] ?? 0)) }
        let table = bytes.count
        put(Int32(table - vtable))
        bytes += [UInt8](repeating: 0, count: size - 4)
        var children: [(slot: Int, value: FlatValue)] = []
        for id in ids {
            let at = table + layout[id]!
            switch fields[id]! {
            case let .int8(v): bytes[at] = UInt8(bitPattern: v)
            case let .uint8(v): bytes[at] = v
            case let .bool(v): bytes[at] = v ? 1 : 0
            case let .int32(v): patch(at, UInt32(bitPattern: v))
            case let .uint32(v): patch(at, v)
            case let .float(v): patch(at, v.bitPattern)
            case let value: children.append((at, value))
            }
        }
        for (slot, value) in children { patch(slot, UInt32(child(value) - slot)) }
        return table
    }

    /// Writes a vector, string or table child; returns its position.
    mutating func child(_ value: FlatValue) -> Int {
        switch value {
        case let .table(fields): return table(fields)
        case let .tables(list):
            align(4)
            let start = bytes.count
            put(UInt32(list.count))
            let slots = list.indices.map { start + 4 + 4 * $0 }
            bytes += [UInt8](repeating: 0, count: 4 * list.count)
            for (slot, fields) in zip(slots, list) { patch(slot, UInt32(table(fields) - slot)) }
            return start
        case let .bytes(data, alignment):
            align(max(alignment, 4), plus: 4)
            let start = bytes.count
            put(UInt32(data.count))
            bytes += data
            return start
        case let .int32s(values):
            align(4)
            let start = bytes.count
            put(UInt32(values.count))
            for v in values { put(v) }
            return start
        case let .int64s(values):
            align(8, plus: 4)
            let start = bytes.count
            put(UInt32(values.count))
            for v in values { put(v) }
            return start
        case let .floats(values):
            align(4)
            let start = bytes.count
            put(UInt32(values.count))
            for v in values { put(v.bitPattern) }
            return start
        case let .string(text):
            align(4)
            let start = bytes.count
            put(UInt32(text.utf8.count))
            bytes += Array(text.utf8) + [0]
            return start
        default: fatalError("not a child value")
        }
    }
}
