import AtomicWrite
import Runtime
import Foundation

/// The `model.bin` format: a float model (graph, weights, labels, normalization, notes).
/// Layout in docs/formats.md. Little-endian; every tensor 16-byte aligned; CRC-32 over all bytes
/// after the 32-byte header.
public enum ModelFile {
    public static let magic: [UInt8] = Array("MNWF".utf8)
    public static let version: UInt16 = 1
    static let headerSize = 32
    static let sectionEntrySize = 24
    static let sectionTags = ["META", "GRPH", "TNSR"]

    // MARK: Writing

    /// Encodes a model. The graph should pass `inferShapes()`; `decode` checks that it does.
    public static func encode(_ model: Model) -> [UInt8] {
        var tensors = ByteWriter()
        var graph = ByteWriter()
        graph.int(model.graph.nodes.count)
        graph.int(model.graph.output)
        for node in model.graph.nodes {
            graph.string(node.name)
            encodeOp(node.op, into: &graph)
            graph.int(node.inputs.count)
            for i in node.inputs { graph.int(i) }
            graph.int(node.parameters.count)
            for p in node.parameters {
                tensors.align(16)
                graph.u8(UInt8(p.shape.count))
                for d in p.shape { graph.int(d) }
                graph.u64(UInt64(tensors.bytes.count))
                graph.u64(UInt64(p.count))
                for v in p.data { tensors.f32(v) }
            }
        }
        var meta = ByteWriter()
        meta.int(model.labels.count)
        for label in model.labels { meta.string(label) }
        meta.int(model.normalization.mean.count)
        for v in model.normalization.mean { meta.f32(v) }
        for v in model.normalization.std { meta.f32(v) }
        meta.string(model.notes)
        for layout in [model.inputLayout, model.outputLayout] {
            meta.int(layout?.dims.count ?? 0)
            for d in layout?.dims ?? [] { meta.int(d) }
            for o in layout?.order ?? [] { meta.int(o) }
        }

        let sections = [meta.bytes, graph.bytes, tensors.bytes]
        var body = ByteWriter()
        body.bytes = [UInt8](repeating: 0, count: headerSize + sections.count * sectionEntrySize)
        var table = ByteWriter()
        for (tag, section) in zip(sectionTags, sections) {
            body.align(16)
            table.bytes.append(contentsOf: Array(tag.utf8))
            table.u32(0)
            table.u64(UInt64(body.bytes.count))
            table.u64(UInt64(section.count))
            body.bytes.append(contentsOf: section)
        }
        var bytes = body.bytes
        bytes.replaceSubrange(headerSize..<(headerSize + table.bytes.count), with: table.bytes)
        var header = ByteWriter()
        header.bytes.append(contentsOf: magic)
        header.u16(version)
        header.u16(UInt16(headerSize))
        header.u32(UInt32(sections.count))
        header.u32(bytes[headerSize...].withUnsafeBytes { crc32(of: $0) })
        header.u64(UInt64(bytes.count))
        header.u64(0)
        bytes.replaceSubrange(0..<headerSize, with: header.bytes)
        return bytes
    }

    /// Writes `model` to `path` through a temporary file renamed into place, so an interrupted
    /// write never leaves a partial model.
    public static func write(_ model: Model, to path: String) throws {
        try writeAtomically(Foundation.Data(encode(model)), to: path)
    }

    // MARK: Reading

    /// Reads and validates a model file.
    public static func read(path: String) throws(ModelFileError) -> Model {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError("\(path): cannot read the file (missing or not readable)")
        }
        do {
            return try decode([UInt8](data))
        } catch {
            throw ModelFileError("\(path): \(error.message)")
        }
    }

    /// Decodes and validates every field: header, section table, CRC, each node's op, attributes,
    /// inputs and tensors, then the graph's shapes. Never traps on malformed input.
    public static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> Model {
        var header = ByteReader(bytes, start: 0, end: bytes.count, context: "header")
        guard bytes.count >= headerSize else {
            throw ModelFileError("file is \(bytes.count) bytes, shorter than the \(headerSize)-byte header")
        }
        guard Array(bytes[0..<4]) == magic else {
            throw ModelFileError("not a Minnow float model: magic is \(bytes[0..<4].map { String(format: "%02x", $0) }.joined()), expected 4d4e5746 (\"MNWF\")")
        }
        _ = try header.u32()
        let version = try header.u16()
        guard version == Self.version else {
            throw ModelFileError("format version \(version) is not supported (this build reads version \(Self.version))")
        }
        guard try header.u16() == headerSize else { throw header.error("header size is not \(headerSize)") }
        let sectionCount = try header.int("section count", in: 1...64)
        let storedCRC = try header.u32()
        let declaredSize = try header.u64()
        guard declaredSize == UInt64(bytes.count) else {
            throw ModelFileError("file is \(bytes.count) bytes but its header says \(declaredSize): truncated or padded")
        }
        let tableEnd = headerSize + sectionCount * sectionEntrySize
        guard tableEnd <= bytes.count else { throw ModelFileError("section table runs past the end of the file") }
        let actualCRC = bytes[headerSize...].withUnsafeBytes { crc32(of: $0) }
        guard actualCRC == storedCRC else {
            throw ModelFileError(String(format: "CRC-32 mismatch: stored %08x, computed %08x (the file is corrupt)", storedCRC, actualCRC))
        }

        var sections: [String: Range<Int>] = [:]
        var table = ByteReader(bytes, start: headerSize, end: tableEnd, context: "section table")
        for _ in 0..<sectionCount {
            let tagBytes = [try table.u8(), try table.u8(), try table.u8(), try table.u8()]
            let tag = String(decoding: tagBytes, as: UTF8.self)
            _ = try table.u32()
            let offset = try table.u64(), size = try table.u64()
            guard offset >= UInt64(tableEnd), offset <= UInt64(bytes.count), size <= UInt64(bytes.count) - offset else {
                throw table.error("section \(tag) (offset \(offset), size \(size)) lies outside the file")
            }
            guard offset % 16 == 0 else { throw table.error("section \(tag) offset \(offset) is not 16-byte aligned") }
            guard sections[tag] == nil else { throw table.error("section \(tag) appears twice") }
            sections[tag] = Int(offset)..<Int(offset + size)
        }
        for tag in sectionTags where sections[tag] == nil {
            throw ModelFileError("required section \(tag) is missing")
        }
        let tensorSection = sections["TNSR"]!
        let graph = try decodeGraph(bytes, range: sections["GRPH"]!, tensors: tensorSection)

        var meta = ByteReader(bytes, start: sections["META"]!.lowerBound, end: sections["META"]!.upperBound, context: "META")
        let labelCount = try meta.int("label count", in: 0...meta.remaining)
        var labels: [String] = []
        for i in 0..<labelCount { labels.append(try meta.string("label \(i)")) }
        let channels = try meta.int("normalization channel count", in: 0...(meta.remaining / 8))
        var mean: [Float] = [], std: [Float] = []
        for c in 0..<channels { mean.append(try meta.finite("normalization mean \(c)")) }
        for c in 0..<channels {
            let s = try meta.finite("normalization std \(c)")
            guard s > 0 else { throw meta.error("normalization std \(c) is \(s), must be positive") }
            std.append(s)
        }
        let notes = try meta.string("notes")
        var layouts: [TensorLayout?] = []
        for what in ["input layout", "output layout"] where meta.remaining > 0 {
            let rank = try meta.int("\(what) rank", in: 0...6)
            var dims: [Int] = [], order: [Int] = []
            for _ in 0..<rank { dims.append(try meta.int("\(what) dim", in: 1...Graph.maxTensorElements)) }
            for _ in 0..<rank { order.append(try meta.int("\(what) axis", in: 0...max(rank - 1, 0))) }
            guard Set(order).count == rank else { throw meta.error("\(what) order \(order) is not a permutation") }
            layouts.append(rank == 0 ? nil : TensorLayout(dims: dims, order: order))
        }

        let shapes: [Shape]
        do { shapes = try graph.inferShapes() } catch {
            throw ModelFileError("GRPH: \(error)")
        }
        guard channels == graph.inputShape.channels else {
            throw ModelFileError("META: normalization has \(channels) channels, the input \(graph.inputShape) has \(graph.inputShape.channels)")
        }
        let outputs = shapes[graph.output].count
        guard labels.isEmpty || labels.count == outputs else {
            throw ModelFileError("META: \(labels.count) labels for \(outputs) outputs")
        }
        let inputLayout = layouts.first ?? nil, outputLayout = layouts.count > 1 ? layouts[1] : nil
        if let inputLayout, inputLayout.dims.dropFirst().reduce(1, *) != graph.inputShape.count {
            throw ModelFileError("META: input layout \(inputLayout.dims) does not hold the input \(graph.inputShape)")
        }
        if let outputLayout, outputLayout.dims.dropFirst().reduce(1, *) != outputs {
            throw ModelFileError("META: output layout \(outputLayout.dims) does not hold the output \(shapes[graph.output])")
        }
        return Model(graph: graph, labels: labels, normalization: Normalization(mean: mean, std: std), notes: notes,
                     inputLayout: inputLayout, outputLayout: outputLayout)
    }

    static func decodeGraph(_ bytes: [UInt8], range: Range<Int>, tensors: Range<Int>) throws(ModelFileError) -> Graph {
        var r = ByteReader(bytes, start: range.lowerBound, end: range.upperBound, context: "GRPH")
        let nodeCount = try r.int("node count", in: 1...max(1, r.remaining / 8))
        let output = try r.int("output node", in: 0...(nodeCount - 1))
        var nodes: [Node] = []
        for index in 0..<nodeCount {
            r.context = "GRPH node \(index)"
            let name = try r.string("name")
            r.context = "GRPH node \(index) '\(name)'"
            let op = try decodeOp(&r)
            let inputCount = try r.int("input count", in: 0...min(r.remaining / 4, 1024))
            var inputs: [Int] = []
            for _ in 0..<inputCount { inputs.append(try r.int("input node", in: 0...max(0, index - 1))) }
            if index == 0, !inputs.isEmpty { throw r.error("node 0 has inputs") }
            let paramCount = try r.int("parameter count", in: 0...8)
            var parameters: [Tensor] = []
            for p in 0..<paramCount {
                let rank = Int(try r.u8())
                guard (1...8).contains(rank) else { throw r.error("parameter \(p) has rank \(rank), not 1...8") }
                var dims: [Int] = []
                var product = 1
                for _ in 0..<rank {
                    let d = try r.int("parameter \(p) dimension", in: 1...Int(Int32.max))
                    let (next, overflow) = product.multipliedReportingOverflow(by: d)
                    guard !overflow, next <= tensors.count / 4 else {
                        throw r.error("parameter \(p) shape \(dims + [d]) is larger than the tensor section")
                    }
                    product = next
                    dims.append(d)
                }
                let offset = try r.u64(), count = try r.u64()
                guard count == UInt64(product) else {
                    throw r.error("parameter \(p) holds \(count) values, its shape \(dims) needs \(product)")
                }
                guard offset % 16 == 0 else { throw r.error("parameter \(p) offset \(offset) is not 16-byte aligned") }
                guard offset <= UInt64(tensors.count), count * 4 <= UInt64(tensors.count) - offset else {
                    throw r.error("parameter \(p) (offset \(offset), \(count) floats) lies outside TNSR")
                }
                let start = tensors.lowerBound + Int(offset)
                var data = [Float](repeating: 0, count: product)
                data.withUnsafeMutableBytes { dst in
                    bytes.withUnsafeBytes { src in
                        dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<(start + product * 4)]))
                    }
                }
                #if _endian(big)
                data = data.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
                #endif
                if let bad = data.firstIndex(where: { !$0.isFinite }) {
                    throw r.error("parameter \(p) value \(bad) is \(data[bad])")
                }
                parameters.append(Tensor(shape: dims, data: data))
            }
            nodes.append(Node(name: name, op: op, inputs: inputs, parameters: parameters))
        }
        return Graph(nodes: nodes, output: output)
    }
}
