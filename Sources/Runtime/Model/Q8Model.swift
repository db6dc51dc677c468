/// A tensor as model.q8 describes it. Shapes exclude the batch: `[H, W, C]` or `[N]`.
public struct Q8Tensor: Sendable {
    public var type: Q8Type
    public var storage: Q8Storage
    public var rank: Int
    /// `rank` dimensions; the rest are 1.
    public var dims: (Int, Int, Int, Int)
    /// Weight layout tag; 0 is the plain layout the reference kernels read.
    public var layout: UInt8
    /// Byte offset in the arena (storage `.arena`) or in the DATA section (`.constant`).
    public var offset: Int
    public var byteSize: Int
    public var scale: Float
    public var zeroPoint: Int32

    public var count: Int { dims.0 * dims.1 * dims.2 * dims.3 }
    /// Dimension `i` (0 to 3; 1 past the rank).
    public func dim(_ i: Int) -> Int { i == 0 ? dims.0 : i == 1 ? dims.1 : i == 2 ? dims.2 : dims.3 }
    /// The product of the dimensions before `axis` of an `[A, B, C]` tensor: how many rows of
    /// `count / rows` bytes it is when cut at `axis` (concatenation and slice).
    /// Example: `[3, 4, 5]` at axis 1 is 3 rows of 20 bytes.
    func rows(before axis: Int) -> Int { axis == 0 ? 1 : axis == 1 ? dims.0 : dims.0 * dims.1 }
    /// True when this `[A, B, C]` tensor and `other` have equal dims but along `axis`.
    func equalDims(_ other: Q8Tensor, but axis: Int) -> Bool {
        (axis == 0 || dims.0 == other.dims.0) && (axis == 1 || dims.1 == other.dims.1) && (axis == 2 || dims.2 == other.dims.2)
    }
    /// The last dimension (channels of an image, length of a vector).
    public var channels: Int {
        switch rank {
        case 1: return dims.0
        case 2: return dims.1
        case 3: return dims.2
        default: return dims.3
        }
    }
    /// The tensor as an image: `[H, W, C]` for rank 3, `[1, 1, N]` for a vector.
    public var image: ImageShape {
        rank == 3 ? ImageShape(height: dims.0, width: dims.1, channels: dims.2) : ImageShape(height: 1, width: 1, channels: count)
    }
}

/// An operator record of model.q8.
public struct Q8Op {
    public var code: Q8OpCode
    public var inputCount: Int
    public var firstInput: Int
    public var output: Int
    public var firstParameter: Int
    public var parameterCount: Int
    /// Scratch tensor index, or nil.
    public var scratch: Int?
}

/// A zero-copy view of a model.q8 held in any byte buffer (flash, a mapped file, an array).
/// `init` validates every offset, size, count, enum value and shape against the buffer and the
/// arena size before anything else reads it; after that, accessors trust the file.
/// The buffer must stay alive and unchanged while the view is used.
/// Sendable: it only ever reads the buffer, which must not change while the view is used.
public struct Q8Model: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    public let arenaBytes: Int
    public let arenaLowerBound: Int
    /// The arena's first bytes, where activations and scratch live: `arenaBytes` less the
    /// prepared-op records (`Q8Format.preparedOpBytes` per op).
    public let activationBytes: Int
    public let tensorCount: Int
    public let opCount: Int
    let sections: SectionOffsets

    struct SectionOffsets {
        var tensors = 0, ops = 0, indices = 0, parameters = 0, data = 0, dataSize = 0, io = 0, meta = 0, metaSize = 0
        var indexCount = 0, parameterCount = 0
    }

    @inline(__always)
    func u32(_ at: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self) }
    /// The u32 at `at` as an Int, values past 2^31 − 1 read as 2^31 − 1 (no field may be that
    /// large, and on 32-bit targets the conversion would trap).
    @inline(__always)
    func int(_ at: Int) -> Int { Self.int(bytes, at) }
    @inline(__always)
    static func int(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> Int {
        Int(min(bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self), 0x7FFF_FFFF))
    }

    public init(bytes: UnsafeRawBufferPointer) throws(Q8Error) {
        self.bytes = bytes
        guard let base = bytes.baseAddress, bytes.count >= Q8Format.headerSize else {
            throw Q8Error(.file, "shorter than the 64-byte header")
        }
        guard UInt(bitPattern: base) % 16 == 0 else { throw Q8Error(.file, "model buffer is not 16-byte aligned") }
        let magic = bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        guard magic == Q8Format.magic else { throw Q8Error(.byte(0), "not a model.q8 (magic is not MNQ8)") }
        guard bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == Q8Format.version else {
            throw Q8Error(.byte(4), "unsupported format version")
        }
        guard bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self) == UInt16(Q8Format.headerSize) else {
            throw Q8Error(.byte(6), "header size is not 64")
        }
        let fileSize = Self.int(bytes, 8)
        guard fileSize == bytes.count else { throw Q8Error(.byte(8), "file size does not match the header (truncated or padded)") }
        // The CRC covers every byte but its own four: the header's fields too.
        var crc = CRC32()
        crc.update(UnsafeRawBufferPointer(rebasing: bytes[0..<12]))
        crc.update(UnsafeRawBufferPointer(rebasing: bytes[16...]))
        guard crc.value == bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self) else { throw Q8Error(.byte(12), "CRC-32 mismatch (the file is corrupt)") }
        for at in Q8Format.reservedRange where bytes[at] != 0 { throw Q8Error(.byte(at), "reserved header byte is not zero") }
        let sectionCount = Self.int(bytes, 16)
        arenaBytes = Self.int(bytes, 20)
        arenaLowerBound = Self.int(bytes, 24)
        guard sectionCount <= 32, Q8Format.headerSize + sectionCount * Q8Format.sectionEntrySize <= fileSize else {
            throw Q8Error(.byte(16), "section table does not fit the file")
        }
        var s = SectionOffsets()
        var found: UInt32 = 0
        for i in 0..<sectionCount {
            let entry = Q8Format.headerSize + i * Q8Format.sectionEntrySize
            let tag = bytes.loadUnaligned(fromByteOffset: entry, as: UInt32.self)
            let offset = Self.int(bytes, entry + 4), size = Self.int(bytes, entry + 8)
            guard offset % 16 == 0, offset >= Q8Format.headerSize, offset <= fileSize, size <= fileSize - offset else {
                throw Q8Error(.section(tag), "section lies outside the file or is not 16-byte aligned")
            }
            guard let section = Q8Format.Section(rawValue: tag) else { continue }
            let bit = section.bit
            guard found & bit == 0 else { throw Q8Error(.section(tag), "section appears twice") }
            found |= bit
            let countFits = size >= 4
            switch section {
            case .tensors: s.tensors = offset
            case .ops: s.ops = offset
            case .indices: s.indices = offset
            case .parameters: s.parameters = offset
            case .data: s.data = offset; s.dataSize = size
            case .io: s.io = offset
            case .meta: s.meta = offset; s.metaSize = size
            }
            if section != .data {
                guard countFits else { throw Q8Error(.section(tag), "section is too small for its count") }
                let count = Self.int(bytes, offset)
                let entrySize: Int
                switch section {
                case .tensors: entrySize = Q8Format.tensorEntrySize
                case .ops: entrySize = Q8Format.opEntrySize
                case .indices, .parameters: entrySize = 4
                default: entrySize = 0
                }
                guard count <= (size - 4) / max(entrySize, 1) else {
                    throw Q8Error(.section(tag), "section count does not fit the section")
                }
                if section == .indices { s.indexCount = count }
                if section == .parameters { s.parameterCount = count }
            }
        }
        guard found == Q8Format.Section.allBits else {
            throw Q8Error(.file, "a required section is missing")
        }
        sections = s
        tensorCount = Self.int(bytes, s.tensors)
        opCount = Self.int(bytes, s.ops)
        guard opCount >= 1, opCount <= Self.opLimit else { throw Q8Error(.file, "op count is not 1 to 65536") }
        guard arenaBytes >= opCount * Q8Format.preparedOpBytes else { throw Q8Error(.byte(20), "arena size does not hold the op records") }
        activationBytes = arenaBytes - opCount * Q8Format.preparedOpBytes
        guard arenaLowerBound <= activationBytes else { throw Q8Error(.byte(24), "arena lower bound exceeds the activations' arena") }
        try validate()
    }

    // MARK: Accessors (valid after init)

    /// Tensor `i`, decoded from its 36-byte entry.
    public func tensor(_ i: Int) -> Q8Tensor {
        let at = sections.tensors + 4 + i * Q8Format.tensorEntrySize
        let rank = Int(bytes[at + 2])
        func dim(_ d: Int) -> Int { d < rank ? int(at + 4 + 4 * d) : 1 }
        return Q8Tensor(type: Q8Type(rawValue: bytes[at]) ?? .int8, storage: Q8Storage(rawValue: bytes[at + 1]) ?? .arena,
                        rank: rank, dims: (dim(0), dim(1), dim(2), dim(3)), layout: bytes[at + 3],
                        offset: int(at + 20), byteSize: int(at + 24),
                        scale: Float(bitPattern: u32(at + 28)), zeroPoint: Int32(bitPattern: u32(at + 32)))
    }

    /// Op `i`, decoded from its 24-byte entry.
    public func op(_ i: Int) -> Q8Op {
        let at = sections.ops + 4 + i * Q8Format.opEntrySize
        let scratch = u32(at + 20)
        return Q8Op(code: Q8OpCode(rawValue: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)) ?? .reshape,
                    inputCount: Int(bytes.loadUnaligned(fromByteOffset: at + 2, as: UInt16.self)),
                    firstInput: int(at + 4), output: int(at + 8), firstParameter: int(at + 12), parameterCount: int(at + 16),
                    scratch: scratch == Q8Format.none ? nil : Int(min(scratch, 0x7FFF_FFFF)))
    }

    /// Input `k` of op `o` as a tensor index, or nil when the optional input is absent.
    public func input(_ k: Int, of o: Q8Op) -> Int? {
        let v = u32(sections.indices + 4 + 4 * (o.firstInput + k))
        return v == Q8Format.none ? nil : Int(min(v, 0x7FFF_FFFF))
    }

    /// Parameter word `k` of op `o`.
    public func parameter(_ k: Int, of o: Q8Op) -> Int32 {
        Int32(bitPattern: u32(sections.parameters + 4 + 4 * (o.firstParameter + k)))
    }

    /// A constant tensor's bytes inside the model buffer.
    public func constantBytes(_ t: Q8Tensor) -> UnsafeRawPointer { bytes.baseAddress! + sections.data + t.offset }

    public var inputCount: Int { int(sections.io) }
    public func inputTensor(_ i: Int) -> Int { int(sections.io + 4 + 4 * i) }
    public var outputCount: Int { int(sections.io + 4 + 4 * inputCount) }
    public func outputTensor(_ i: Int) -> Int { int(sections.io + 8 + 4 * inputCount + 4 * i) }

    /// Input normalization: channel count, then `mean[c]`, `std[c]` (x = (pixel/255 − mean) / std).
    public var normalizationChannels: Int { int(sections.meta) }
    public func normalizationMean(_ c: Int) -> Float { Float(bitPattern: u32(sections.meta + 4 + 4 * c)) }
    public func normalizationStd(_ c: Int) -> Float { Float(bitPattern: u32(sections.meta + 4 + 4 * (normalizationChannels + c))) }

    /// The bytes after META's labels, where optional host records follow (the boundary layouts of
    /// an imported model, docs/formats.md), and a 32-bit word of the buffer at a byte offset.
    public var metaRecords: Range<Int> { labelRecord(labelCount)..<(sections.meta + sections.metaSize) }
    public func word(at offset: Int) -> Int { int(offset) }

    /// Class labels as UTF-8 byte ranges of the buffer.
    public var labelCount: Int { int(sections.meta + 4 + 8 * normalizationChannels) }
    public func label(_ i: Int) -> UnsafeRawBufferPointer {
        let at = labelRecord(i)
        return UnsafeRawBufferPointer(rebasing: bytes[(at + 4)..<(at + 4 + int(at))])
    }

    /// Byte offset of label i's record (`u32 length`, bytes padded to 4); `labelCount` gives the end of the labels.
    func labelRecord(_ i: Int) -> Int {
        var at = sections.meta + 8 + 8 * normalizationChannels
        for _ in 0..<i { at += 4 + (int(at) + 3) / 4 * 4 }
        return at
    }
}
