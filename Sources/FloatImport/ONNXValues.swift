import Foundation
import ONNXFile

/// An import that cannot go on, naming the node (or file part) at fault and why.
/// Example: `node 12 'LRN_1': LRN is not supported`.
public struct FloatImportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The product of `dims`, or nil when one is negative or the product passes 2^40 (untrusted
/// files carry any sizes; nothing here may trap on them).
func checkedProduct<C: Sequence<Int>>(_ dims: C) -> Int? {
    var p = 1
    for d in dims {
        guard d >= 0 else { return nil }
        let (q, overflow) = p.multipliedReportingOverflow(by: d)
        guard !overflow, q <= 1 << 40 else { return nil }
        p = q
    }
    return p
}

/// A tensor known while importing: its dims in ONNX's axis order and its values, row-major.
/// Floats and integers share `Double` (exact for float32 and for integers below 2^53; shapes,
/// axes and indices are far smaller). Example: a Reshape target `[1, -1]` is dims `[2]`,
/// values `[1, -1]`.
struct ConstantTensor {
    var dims: [Int]
    var values: [Double]
    var isInteger: Bool

    var count: Int { values.count }
    var floats: [Float] { values.map(Float.init) }
    var ints: [Int] { values.map { $0.isNaN ? 0 : Int(max(min($0, 9.0e18), -9.0e18)) } }

    /// Values as `Float`, one per entry of `shape` after NumPy broadcasting; nil if `dims` does not
    /// broadcast to it.
    func broadcast(to shape: [Int]) -> [Double]? {
        guard dims.count <= shape.count else { return nil }
        let lead = shape.count - dims.count
        for (k, d) in dims.enumerated() where d != 1 && d != shape[lead + k] { return nil }
        let total = shape.reduce(1, *)
        var out = [Double](repeating: 0, count: total)
        var index = [Int](repeating: 0, count: shape.count)
        for flat in 0..<total {
            var source = 0
            for (k, d) in dims.enumerated() { source = source * d + (d == 1 ? 0 : index[lead + k]) }
            out[flat] = values[source]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }
}

extension ConstantTensor {
    /// Decodes an ONNX tensor (raw little-endian bytes or the typed repeated fields) of a
    /// numeric type; external data and strings are refused.
    init(_ t: Onnx_TensorProto, what: String) throws(FloatImportError) {
        let dims = t.dims.map { Int(clamping: $0) }
        guard dims.allSatisfy({ (0...1 << 28).contains($0) }) else { throw FloatImportError("\(what): dimension out of range in \(t.dims)") }
        // Bounded with zero dims counted as 1, so no product of some of its dims can be large.
        guard let span = checkedProduct(dims.map { max($0, 1) }), span <= 1 << 28, let count = checkedProduct(dims) else {
            throw FloatImportError("\(what): tensor of dims \(t.dims) is too large")
        }
        guard t.dataLocation != .external, t.externalData.isEmpty else {
            throw FloatImportError("\(what): weights stored outside the file (external data) are not supported; save the model with its weights inside")
        }
        let type = Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) ?? .undefined
        let raw = [UInt8](t.rawData)
        func fromRaw(_ width: Int, _ decode: (UnsafeRawBufferPointer, Int) -> Double) throws(FloatImportError) -> [Double] {
            guard raw.count == count * width else {
                throw FloatImportError("\(what): \(raw.count) bytes of data for \(count) values of \(width) bytes")
            }
            return raw.withUnsafeBytes { b in (0..<count).map { decode(b, $0 * width) } }
        }
        var values: [Double]
        var isInteger = true
        switch type {
        case .float:
            isInteger = false
            values = raw.isEmpty ? t.floatData.map(Double.init)
                : try fromRaw(4) { b, o in Double(Float(bitPattern: b.loadUnaligned(fromByteOffset: o, as: UInt32.self).littleEndian)) }
        case .double:
            isInteger = false
            values = raw.isEmpty ? t.doubleData
                : try fromRaw(8) { b, o in Double(bitPattern: b.loadUnaligned(fromByteOffset: o, as: UInt64.self).littleEndian) }
        case .float16:
            isInteger = false
            values = raw.isEmpty ? t.int32Data.map { Double(Float(Float16(bitPattern: UInt16(truncatingIfNeeded: $0)))) }
                : try fromRaw(2) { b, o in Double(Float(Float16(bitPattern: b.loadUnaligned(fromByteOffset: o, as: UInt16.self).littleEndian))) }
        case .int64:
            values = raw.isEmpty ? t.int64Data.map(Double.init)
                : try fromRaw(8) { b, o in Double(Int64(littleEndian: b.loadUnaligned(fromByteOffset: o, as: Int64.self))) }
        case .int32, .int16, .int8, .uint8, .uint16, .bool:
            let width: Int = [.int32: 4, .int16: 2, .uint16: 2][type] ?? 1
            values = raw.isEmpty ? t.int32Data.map(Double.init) : try fromRaw(width) { b, o in
                switch type {
                case .int32: return Double(Int32(littleEndian: b.loadUnaligned(fromByteOffset: o, as: Int32.self)))
                case .int16: return Double(Int16(littleEndian: b.loadUnaligned(fromByteOffset: o, as: Int16.self)))
                case .uint16: return Double(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
                case .int8: return Double(b.load(fromByteOffset: o, as: Int8.self))
                default: return Double(b.load(fromByteOffset: o, as: UInt8.self))
                }
            }
        default:
            throw FloatImportError("\(what): tensor type \(type) is not supported")
        }
        guard values.count == count else {
            throw FloatImportError("\(what): \(values.count) values for dims \(t.dims)")
        }
        if !isInteger, let bad = values.first(where: { !$0.isFinite }) {
            throw FloatImportError("\(what): holds the non-finite value \(bad)")
        }
        self.init(dims: dims, values: values, isInteger: isInteger)
    }
}

/// One node's attributes by name, with typed getters whose errors name the node.
struct Attributes {
    let node: String
    let byName: [String: Onnx_AttributeProto]

    init(_ n: Onnx_NodeProto, node: String) {
        self.node = node
        var map: [String: Onnx_AttributeProto] = [:]
        for a in n.attribute { map[a.name] = a }
        byName = map
    }

    func has(_ name: String) -> Bool { byName[name] != nil }

    func int(_ name: String, _ fallback: Int) -> Int { byName[name].map { Int(clamping: $0.i) } ?? fallback }
    func float(_ name: String, _ fallback: Float) -> Float { byName[name]?.f ?? fallback }
    func ints(_ name: String) -> [Int]? { byName[name].map { $0.ints.map { Int(clamping: $0) } } }
    func floats(_ name: String) -> [Float]? { byName[name].map(\.floats) }
    func string(_ name: String, _ fallback: String) -> String {
        byName[name].map { String(decoding: $0.s, as: UTF8.self) } ?? fallback
    }
    func tensor(_ name: String) throws(FloatImportError) -> ConstantTensor? {
        guard let a = byName[name], a.hasT else { return nil }
        return try ConstantTensor(a.t, what: "\(node): attribute \(name)")
    }
}
