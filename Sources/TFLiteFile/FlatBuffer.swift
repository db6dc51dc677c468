/// A zero-copy, bounds-checked reader of FlatBuffers (the encoding of .tflite files), for the
/// schema subset `TFLiteModel` reads. Every offset, length and index is checked against the
/// buffer before it is read, so a truncated or mutated file gives a `TFLiteError` naming the
/// byte, never a trap.
///
/// The encoding, little-endian throughout: the file starts with a u32 offset to the root
/// table. A table starts with an i32 `soffset`; its vtable lies at `table − soffset` and holds
/// u16 vtable size, u16 table size, then one u16 per field id: the field's offset from the
/// table start, 0 when absent (the field then has its schema default). Scalars sit in the table;
/// tables, vectors and strings are reached through a u32 offset relative to the field's own
/// position. A vector is a u32 count followed by its elements (a vector of tables holds u32
/// offsets, each relative to its own position); a string is a vector of bytes.
/// Example: a table at 24 with soffset 12 has its vtable at 12; field 1's u16 there at 12 + 6.
public struct FlatBuffer {
    public let bytes: UnsafeRawBufferPointer

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// `size` bytes at `at` lie inside the buffer.
    func check(_ at: Int, _ size: Int, _ what: String) throws(TFLiteError) {
        guard at >= 0, size >= 0, at <= bytes.count, size <= bytes.count - at else {
            throw TFLiteError("\(what) at byte \(at) runs past the end of the file (\(bytes.count) bytes)")
        }
    }

    func load<T: FixedWidthInteger>(_ at: Int, as: T.Type, _ what: String) throws(TFLiteError) -> T {
        try check(at, MemoryLayout<T>.size, what)
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self))
    }

    /// The position a u32 offset at `at` points to.
    func follow(_ at: Int, _ what: String) throws(TFLiteError) -> Int {
        let target = at + Int(try load(at, as: UInt32.self, what))
        try check(target, 4, what)
        return target
    }

    /// The root table.
    public func root() throws(TFLiteError) -> FlatTable {
        try FlatTable(self, at: try follow(0, "root table offset"), "root table")
    }

    /// The 4-byte file identifier after the root offset ("TFL3" for TFLite).
    public var identifier: String? {
        bytes.count >= 8 ? String(decoding: bytes[4..<8], as: UTF8.self) : nil
    }
}

/// A table: its position and its vtable, both checked.
public struct FlatTable {
    let buffer: FlatBuffer
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let what: String

    init(_ buffer: FlatBuffer, at position: Int, _ what: String) throws(TFLiteError) {
        self.buffer = buffer
        self.position = position
        self.what = what
        let soffset = Int(try buffer.load(position, as: Int32.self, "\(what) header"))
        vtable = position - soffset
        vtableSize = Int(try buffer.load(vtable, as: UInt16.self, "\(what) vtable"))
        guard vtableSize >= 4, vtableSize % 2 == 0 else { throw TFLiteError("\(what) at byte \(position) has a malformed vtable") }
        try buffer.check(vtable, vtableSize, "\(what) vtable")
    }

    /// The absolute position of field `id`, or nil when the field is absent.
    func field(_ id: Int) throws(TFLiteError) -> Int? {
        let entry = 4 + 2 * id
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try buffer.load(vtable + entry, as: UInt16.self, "\(what) vtable"))
        return offset == 0 ? nil : position + offset
    }

    /// Integer field `id`, or `default` when absent.
    public func scalar<T: FixedWidthInteger>(_ id: Int, _ type: T.Type, default value: T = 0) throws(TFLiteError) -> T {
        guard let at = try field(id) else { return value }
        return try buffer.load(at, as: T.self, "\(what) field \(id)")
    }

    public func bool(_ id: Int, default value: Bool = false) throws(TFLiteError) -> Bool {
        try scalar(id, UInt8.self, default: value ? 1 : 0) != 0
    }

    public func float(_ id: Int, default value: Float = 0) throws(TFLiteError) -> Float {
        Float(bitPattern: try scalar(id, UInt32.self, default: value.bitPattern))
    }

    /// Sub-table field `id`, or nil when absent.
    public func table(_ id: Int, _ name: String) throws(TFLiteError) -> FlatTable? {
        guard let at = try field(id) else { return nil }
        return try FlatTable(buffer, at: try buffer.follow(at, name), name)
    }

    /// Vector field `id` of `elementSize`-byte elements, or nil when absent.
    public func vector(_ id: Int, elementSize: Int, _ name: String) throws(TFLiteError) -> FlatVector? {
        guard let at = try field(id) else { return nil }
        let start = try buffer.follow(at, name)
        let count = Int(try buffer.load(start, as: UInt32.self, name))
        guard count <= (buffer.bytes.count - start - 4) / elementSize else {
            throw TFLiteError("\(name) at byte \(start) claims \(count) elements, more than the file holds")
        }
        return FlatVector(buffer: buffer, start: start + 4, count: count, elementSize: elementSize, name: name)
    }

    /// String field `id` (UTF-8, invalid sequences replaced), or nil when absent.
    public func string(_ id: Int, _ name: String) throws(TFLiteError) -> String? {
        guard let v = try vector(id, elementSize: 1, name) else { return nil }
        return String(decoding: v.bytes, as: UTF8.self)
    }
}

/// A vector's elements in place.
public struct FlatVector {
    let buffer: FlatBuffer
    public let start: Int
    public let count: Int
    let elementSize: Int
    let name: String

    /// The raw element bytes.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer.bytes[start..<(start + count * elementSize)]) }

    public func scalar<T: FixedWidthInteger>(_ i: Int, _ type: T.Type) throws(TFLiteError) -> T {
        guard i >= 0, i < count else { throw TFLiteError("\(name): index \(i) outside \(count) elements") }
        return try buffer.load(start + i * elementSize, as: T.self, name)
    }

    public func float(_ i: Int) throws(TFLiteError) -> Float { Float(bitPattern: try scalar(i, UInt32.self)) }

    /// Element `i` of a vector of tables.
    public func table(_ i: Int) throws(TFLiteError) -> FlatTable {
        guard i >= 0, i < count else { throw TFLiteError("\(name): index \(i) outside \(count) elements") }
        return try FlatTable(buffer, at: try buffer.follow(start + 4 * i, name), "\(name)[\(i)]")
    }

    /// Every element as an Int (for vectors of i32, u32 or i64).
    public func integers<T: FixedWidthInteger>(_ type: T.Type) throws(TFLiteError) -> [Int] {
        var values: [Int] = []
        values.reserveCapacity(count)
        for i in 0..<count {
            let v = try scalar(i, T.self)
            guard let int = Int(exactly: v) else { throw TFLiteError("\(name)[\(i)] = \(v) does not fit an Int") }
            values.append(int)
        }
        return values
    }
}

/// Why a .tflite file was refused: a sentence naming the place (byte, tensor, op) and the problem.
public struct TFLiteError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
