/// What is wrong with a model file, and where: `<section or field>: <what> at byte <offset>`,
/// prefixed with the file's path when it was read from a file.
public struct ModelFileError: Error, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads little-endian values from `bytes[start..<end]`, refusing to read past `end`.
/// Every failure names the byte offset in the whole file.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    /// Where the value read last begins: errors about a value point at its first byte.
    private(set) var fieldStart: Int
    let end: Int
    /// What is being read, prefixed to error messages (e.g. "GRPH node 3 'conv1'").
    var context: String

    init(_ bytes: [UInt8], start: Int, end: Int, context: String) {
        self.bytes = bytes
        offset = start
        fieldStart = start
        self.end = end
        self.context = context
    }

    var remaining: Int { end - offset }

    func error(_ what: String) -> ModelFileError {
        ModelFileError("\(context): \(what) at byte \(fieldStart)")
    }

    private mutating func take(_ n: Int) throws(ModelFileError) -> Int {
        guard n <= remaining else {
            throw ModelFileError("\(context): truncated: needs \(n) bytes at byte \(offset), \(remaining) left before byte \(end)")
        }
        fieldStart = offset
        defer { offset += n }
        return offset
    }

    mutating func u8() throws(ModelFileError) -> UInt8 { bytes[try take(1)] }

    mutating func u16() throws(ModelFileError) -> UInt16 {
        let at = try take(2)
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    mutating func u32() throws(ModelFileError) -> UInt32 {
        let at = try take(4)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[at + i]) << (8 * i) }
        return v
    }

    mutating func u64() throws(ModelFileError) -> UInt64 {
        let at = try take(8)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * i) }
        return v
    }

    mutating func f32() throws(ModelFileError) -> Float { Float(bitPattern: try u32()) }

    /// A u32 that must lie in `range` (`what` names it in the error).
    mutating func int(_ what: String, in range: ClosedRange<Int>) throws(ModelFileError) -> Int {
        let v = Int(try u32())
        guard range.contains(v) else { throw error("\(what) \(v) is outside \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    mutating func bool(_ what: String) throws(ModelFileError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let v: throw error("\(what) flag is \(v), not 0 or 1")
        }
    }

    mutating func finite(_ what: String) throws(ModelFileError) -> Float {
        let v = try f32()
        guard v.isFinite else { throw error("\(what) is not a finite number") }
        return v
    }

    mutating func string(_ what: String) throws(ModelFileError) -> String {
        let n = try int("\(what) length", in: 0...remaining)
        let at = try take(n)
        guard let s = String(validating: bytes[at..<(at + n)], as: UTF8.self) else {
            throw error("\(what) is not valid UTF-8")
        }
        return s
    }
}
