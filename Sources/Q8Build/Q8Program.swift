import Foundation
import AtomicWrite
import Runtime

/// An int8 program being built on the host (by the converter, or by tests), encoded to model.q8
/// with its arena planned. Tensor indices returned by the builder methods are used as op inputs.
public struct Q8Program: Q8OpWriter, Sendable {
    public struct Tensor: Sendable {
        public var type: Q8Type
        public var shape: [Int]
        public var quantization: AffineQuantization?
        /// Little-endian bytes of a constant; nil for an arena tensor.
        public var constant: [UInt8]?
        /// How a weight constant is ordered.
        public var layout: Q8WeightLayout = .plain

        public var count: Int { shape.reduce(1, *) }
        public var byteSize: Int { count * type.size }
    }

    public struct Op: Sendable {
        public var code: Q8OpCode
        /// Tensor indices; nil for an absent optional input (no bias).
        public var inputs: [Int?]
        public var output: Int
        public var parameters: [Int32]
        public var scratch: Int?
        /// Name of the graph node it came from, for reports.
        public var name: String
    }

    public var tensors: [Tensor] = []
    public var ops: [Op] = []
    public var inputs: [Int] = []
    public var outputs: [Int] = []
    public var labels: [String] = []
    public var normalizationMean: [Float] = []
    public var normalizationStd: [Float] = []
    /// For an imported model, the source's layout of each input, then each output (dims batch
    /// first, and the source's axes in memory order; docs/formats.md, META); empty for Minnow's own.
    public var boundaryLayouts: [(dims: [Int], order: [Int])] = []
    /// Whether the planner may put a convolution's output over its dying input (`Q8InPlace.rowByRow`):
    /// a smaller arena; such a convolution then runs row by row on one thread. Off: every op splits across threads.
    public var inPlaceConvolutions = true

    public init() {}

    /// An int8 activation in the arena.
    public mutating func activation(_ shape: [Int], _ quantization: AffineQuantization) -> Int {
        tensors.append(Tensor(type: .int8, shape: shape, quantization: quantization, constant: nil))
        return tensors.count - 1
    }

    /// An int32 scratch buffer in the arena.
    public mutating func scratch(_ count: Int) -> Int {
        tensors.append(Tensor(type: .int32, shape: [count], quantization: nil, constant: nil))
        return tensors.count - 1
    }

    public mutating func constant(_ values: [Int8], shape: [Int]) -> Int { constant(values, shape: shape, layout: .plain) }

    public mutating func constant(_ values: [Int8], shape: [Int], layout: Q8WeightLayout) -> Int {
        precondition(values.count == shape.reduce(1, *), "constant does not match its shape")
        tensors.append(Tensor(type: .int8, shape: shape, quantization: AffineQuantization(scale: 1, zeroPoint: 0),
                              constant: values.map { UInt8(bitPattern: $0) }, layout: layout))
        return tensors.count - 1
    }

    /// A copy of the conv filter constant `filter` (`[Cout, KH, KW, Cin/groups]`, OHWI) in the
    /// `convQuads8` layout the packed GEMM kernels read (`packConvQuads8`), for a conv op's input 5;
    /// nil when the filter holds a −128, which a packed copy may not (`convQuads8IsExactCopy`).
    public mutating func packedCopy(ofConvFilter filter: Int, groups: Int) -> Int? {
        guard !tensors[filter].constant!.contains(0x80) else { return nil }
        let shape = tensors[filter].shape
        let (cout, kh, kw, cinPerGroup) = (shape[0], shape[1], shape[2], shape[3])
        let layout = ConvQuads8Layout(groups: groups, outputsPerGroup: cout / groups, taps: kh * kw, inputsPerGroup: cinPerGroup)
        let count = layout.count
        let packed = [Int8](unsafeUninitializedCapacity: count) { buffer, initialized in
            tensors[filter].constant!.withUnsafeBytes {
                packConvQuads8($0.assumingMemoryBound(to: Int8.self).baseAddress!, outChannels: cout, kernelH: kh, kernelW: kw,
                               inputsPerGroup: cinPerGroup, groups: groups, into: buffer.baseAddress!)
            }
            initialized = count
        }
        return constant(packed, shape: [layout.blocks, kh * kw, layout.quads, ConvQuads8Layout.quadBytes], layout: .convQuads8)
    }

    public mutating func constant(_ values: [Int32], shape: [Int]) -> Int {
        precondition(values.count == shape.reduce(1, *), "constant does not match its shape")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        tensors.append(Tensor(type: .int32, shape: shape, quantization: nil, constant: bytes))
        return tensors.count - 1
    }

    /// An int8 scratch buffer of `bytes` bytes in the arena, live only during its op.
    public mutating func scratchBytes(_ bytes: Int) -> Int {
        tensors.append(Tensor(type: .int8, shape: [bytes], quantization: AffineQuantization(scale: 1, zeroPoint: 0), constant: nil))
        return tensors.count - 1
    }

    public func shape(of t: Int) -> [Int] { tensors[t].shape }

    /// Appends an op record (`Q8OpWriter`): the op files' typed emitters (`pad(_:top:left:output:)`, …) call it.
    public mutating func appendRecord(_ code: Q8OpCode, inputs: [Int?], output: Int, words: [Int32], scratch: Int?, name: String) {
        precondition(words.count == code.parameterCount, "wrong parameter count for \(code)")
        ops.append(Op(code: code, inputs: inputs, output: output, parameters: words, scratch: scratch, name: name))
    }

    // MARK: Planning

    /// Arena tensors grouped into buffers: an op whose in-place rule allows it (`Q8OpCode.inPlace`:
    /// add, mul, lookup, reshape) writes over its first input when that input dies there and has
    /// the output's size, so input and output share a buffer; a convolution or depthwise
    /// convolution (`.rowByRow`) whose input dies there may write its output over the input from
    /// `Conv2DOp.rowByRowGap` bytes below or above it (two `ArenaOverlap`s the planner may take one of).
    /// Returns each arena tensor's buffer index, the buffers with their lifetimes, and the overlaps.
    /// With `streams` (producer op indices, `RowStream`): each stream's tensor holds only the rows
    /// its consumer's window reads and lives only at the consumer's op, where the producer's input
    /// and scratch must also still be; neither op of a stream overlaps its output with its input.
    public func arenaBuffers(streams: Set<Int> = []) -> (bufferOf: [Int: Int], buffers: [ArenaBuffer], overlaps: [ArenaOverlap],
                                                         widenings: [ArenaOverlap: [Int]]) {
        var lastRead = [Int: Int](), written = [Int: Int]()
        for (i, op) in ops.enumerated() {
            for case let t? in op.inputs { lastRead[t] = i }
            written[op.output] = written[op.output] ?? i
            if let s = op.scratch { written[s] = i; lastRead[s] = i }
        }
        for i in streams {
            written[ops[i].output] = i + 1
            for t in [ops[i].inputs[0], ops[i].scratch] { if let t { lastRead[t] = max(lastRead[t] ?? 0, i + 1) } }
        }
        for t in inputs { written[t] = 0 }
        for t in outputs { lastRead[t] = ops.count }
        // Union in-place pairs.
        var parent = Array(tensors.indices)
        func root(_ t: Int) -> Int { parent[t] == t ? t : root(parent[t]) }
        for (i, op) in ops.enumerated() where op.code.inPlace == .overwrites || op.code.inPlace == .aliases {
            guard let x = op.inputs[0], tensors[x].constant == nil, lastRead[x] == i, op.code.inPlace == .aliases || !inputs.contains(x),
                  !outputs.contains(x),
                  tensors[x].byteSize == tensors[op.output].byteSize, op.inputs.dropFirst().allSatisfy({ $0 != x })
            else { continue }
            parent[root(op.output)] = root(x)
        }
        var bufferOf = [Int: Int](), buffers: [ArenaBuffer] = [], bufferOfRoot = [Int: Int]()
        for t in tensors.indices where tensors[t].constant == nil {
            let r = root(t)
            let first = written[t] ?? 0, last = max(lastRead[t] ?? first, first)
            let size = streamBytes(t, streams: streams) ?? tensors[t].byteSize
            if let b = bufferOfRoot[r] {
                buffers[b].size = max(buffers[b].size, size)
                buffers[b].firstUse = min(buffers[b].firstUse, first)
                buffers[b].lastUse = max(buffers[b].lastUse, last)
                bufferOf[t] = b
            } else {
                bufferOfRoot[r] = buffers.count
                bufferOf[t] = buffers.count
                buffers.append(ArenaBuffer(size: size, firstUse: first, lastUse: last))
            }
        }
        var overlaps: [ArenaOverlap] = [], widenings: [ArenaOverlap: [Int]] = [:]
        for (i, op) in ops.enumerated() where op.code.inPlace == .rowByRow && inPlaceConvolutions && !streams.contains(i) && !streams.contains(i - 1) {
            guard let x = op.inputs[0], tensors[x].constant == nil, !outputs.contains(x),
                  let bx = bufferOf[x], let by = bufferOf[op.output], bx != by, buffers[bx].lastUse == i, buffers[by].firstUse == i,
                  tensors[x].shape.count == 3, tensors[op.output].shape.count == 3 else { continue }
            func image(_ t: Int) -> ImageShape { ImageShape(height: tensors[t].shape[0], width: tensors[t].shape[1], channels: tensors[t].shape[2]) }
            func gap(_ order: RowOrder, rows: Int) -> Int {
                Conv2DOp.rowByRowGap(order, rows: rows, input: image(x), output: image(op.output),
                                     kernelH: Int(op.parameters[Conv2DOp.Word.kernelH]), strideH: Int(op.parameters[Conv2DOp.Word.strideH]),
                                     dilationH: Int(op.parameters[Conv2DOp.Word.dilationH]), padTop: Int(op.parameters[Conv2DOp.Word.padTop]))
            }
            overlaps.append(ArenaOverlap(lower: by, upper: bx, gap: gap(.firstToLast, rows: 1)))
            overlaps.append(ArenaOverlap(lower: bx, upper: by, gap: gap(.lastToFirst, rows: 1)))
            // The same overlaps for 2, 4, … rows a call (the planner widens a taken overlap to the
            // most rows that keep its peak: fewer kernel calls).
            let height = tensors[op.output].shape[0]
            for (k, order) in [RowOrder.firstToLast, .lastToFirst].enumerated() {
                let wider = sequence(first: 2, next: { $0 < height ? $0 * 2 : nil }).filter { $0 < height }.map { gap(order, rows: $0) }
                widenings[overlaps[overlaps.count - 2 + k]] = wider
            }
        }
        return (bufferOf, buffers, overlaps, widenings)
    }

    /// The row streams the planner may make (`RowStream`): producer op indices i where op i is a
    /// convolution or depthwise convolution whose output only op i + 1, another one, reads (as
    /// slot 0), no model output, taller than the rows a stream of it holds.
    public func streamCandidates() -> [Int] {
        ops.indices.dropLast().filter { i in
            let (p, c) = (ops[i], ops[i + 1]), t = p.output
            let windowed: Set<Q8OpCode> = [.conv2d, .depthwiseConv2d]
            return windowed.contains(p.code) && windowed.contains(c.code) && c.inputs[0] == t && !outputs.contains(t)
                && ops.enumerated().allSatisfy { k, op in k == i + 1 ? !op.inputs.dropFirst().contains(t) : !op.inputs.contains(t) }
                && streamRows(consumer: i + 1) < tensors[t].shape[0]
        }
    }

    /// Consumer output rows a stream's step computes (`RowStream`): four by default, a quarter of
    /// the per-call cost of one row at a time (each step calls both kernels once), for three more
    /// strides of rows.
    public var streamStep = 4
    /// The share of the peak a stream must save to be made (a quarter by default; 0: any saving).
    public var streamSaving = 0.25

    /// The rows a stream into op `consumer` holds: what `streamStep` output rows read (its
    /// window's height and three strides more), at most the image's.
    func streamRows(consumer: Int) -> Int {
        let c = ops[consumer], height = tensors[c.inputs[0]!].shape[0]
        let window = Int(c.parameters[Conv2DOp.Word.kernelH] - 1) * Int(c.parameters[Conv2DOp.Word.dilationH]) + 1
        return min(height, window + (streamStep - 1) * Int(c.parameters[Conv2DOp.Word.strideH]))
    }

    /// The arena bytes of tensor `t` when it is a stream among `streams`, else nil.
    func streamBytes(_ t: Int, streams: Set<Int>) -> Int? {
        guard let i = streams.first(where: { ops[$0].output == t }) else { return nil }
        let shape = tensors[t].shape
        return streamRows(consumer: i + 1) * shape[1] * shape[2]
    }

    /// The streams to make and the plan with them: greedily, the candidate whose plan has the
    /// lowest `peakScore`, while that lowers the peak by `streamSaving` or more (a stream runs its two
    /// ops on one thread with a kernel call per step: on fm_dsconv, 2.7 % less arena for 15 %
    /// more AArch64 instructions is not worth it; on MobileNetV2 at 224, 55 % less is). A stream's
    /// producer is no other stream's consumer.
    func plannedArena() -> (streams: Set<Int>, bufferOf: [Int: Int], plan: ArenaPlan) {
        func planned(_ streams: Set<Int>) -> (bufferOf: [Int: Int], plan: ArenaPlan, score: [Int]) {
            let (bufferOf, buffers, overlaps, widenings) = arenaBuffers(streams: streams)
            let plan = planArena(buffers, overlaps: overlaps, widenings: widenings)
            return (bufferOf, plan, peakScore(plan, buffers, alignment: 16))
        }
        var streams: Set<Int> = [], best = planned([])
        let candidates = inPlaceConvolutions ? streamCandidates() : []
        while true {
            var better: (streams: Set<Int>, planned: (bufferOf: [Int: Int], plan: ArenaPlan, score: [Int]))?
            for i in candidates where !streams.contains(i) && !streams.contains(i - 1) && !streams.contains(i + 1) {
                let tried = planned(streams.union([i]))
                if Double(tried.plan.peak) <= Double(best.plan.peak) * (1 - streamSaving), tried.score.lexicographicallyPrecedes(better?.planned.score ?? best.score) {
                    better = (streams.union([i]), tried)
                }
            }
            guard let better else { break }
            (streams, best) = (better.streams, better.planned)
        }
        return (streams, best.bufferOf, best.plan)
    }

    // MARK: Encoding

    /// The model.q8 bytes and the arena plan they hold (layout in docs/formats.md).
    /// `shareArena: false` gives every arena tensor a region of its own (no reuse, no in-place
    /// ops): a larger arena, for checking that a planned model computes the same bytes.
    public func encode(shareArena: Bool = true) -> (bytes: [UInt8], plan: ArenaPlan) {
        var (streams, bufferOf, plan) = (Set<Int>(), [Int: Int](), ArenaPlan(offsets: [], peak: 0, lowerBound: 0, strategy: ""))
        if shareArena {
            (streams, bufferOf, plan) = plannedArena()
        } else {
            let arenaTensors = tensors.indices.filter { tensors[$0].constant == nil }
            bufferOf = Dictionary(uniqueKeysWithValues: arenaTensors.enumerated().map { ($1, $0) })
            plan = planArena(arenaTensors.map { ArenaBuffer(size: tensors[$0].byteSize, firstUse: 0, lastUse: ops.count) })
        }
        var data: [UInt8] = []
        var tensorOffsets = [Int](repeating: 0, count: tensors.count)
        for (i, t) in tensors.enumerated() {
            if let bytes = t.constant {
                while data.count % 16 != 0 { data.append(0) }
                tensorOffsets[i] = data.count
                data += bytes
            } else {
                tensorOffsets[i] = plan.offsets[bufferOf[i]!]
            }
        }
        var tens = Words()
        tens.u32(tensors.count)
        for (i, t) in tensors.enumerated() {
            let streamed = streamBytes(i, streams: streams)
            tens.bytes += [t.type.rawValue, t.constant == nil ? Q8Storage.arena.rawValue : Q8Storage.constant.rawValue,
                           UInt8(t.shape.count), streamed != nil ? Q8WeightLayout.rowStream.rawValue : t.layout.rawValue]
            for d in 0..<4 { tens.u32(d < t.shape.count ? t.shape[d] : 0) }
            tens.u32(tensorOffsets[i])
            tens.u32(streamed ?? t.byteSize)
            tens.u32(Int(t.quantization?.scale.bitPattern ?? 0))
            tens.i32(Int32(t.quantization?.zeroPoint ?? 0))
        }
        var opsSection = Words(), indices = Words(), params = Words()
        var indexList: [UInt32] = [], paramList: [Int32] = []
        opsSection.u32(ops.count)
        for op in ops {
            withUnsafeBytes(of: op.code.rawValue.littleEndian) { opsSection.bytes += $0 }
            withUnsafeBytes(of: UInt16(op.inputs.count).littleEndian) { opsSection.bytes += $0 }
            opsSection.u32(indexList.count)
            opsSection.u32(op.output)
            opsSection.u32(paramList.count)
            opsSection.u32(op.parameters.count)
            opsSection.bytes += withUnsafeBytes(of: (op.scratch.map { UInt32($0) } ?? Q8Format.none).littleEndian) { Array($0) }
            indexList += op.inputs.map { $0.map { UInt32($0) } ?? Q8Format.none }
            paramList += op.parameters
        }
        indices.u32(indexList.count)
        for v in indexList { indices.bytes += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        params.u32(paramList.count)
        for v in paramList { params.i32(v) }
        var io = Words()
        io.u32(inputs.count)
        for t in inputs { io.u32(t) }
        io.u32(outputs.count)
        for t in outputs { io.u32(t) }
        var meta = Words()
        meta.u32(normalizationMean.count)
        for v in normalizationMean + normalizationStd { meta.u32(Int(v.bitPattern)) }
        meta.u32(labels.count)
        for label in labels {
            let utf8 = Array(label.utf8)
            meta.u32(utf8.count)
            meta.bytes += utf8
            while meta.bytes.count % 4 != 0 { meta.bytes.append(0) }
        }
        meta.u32(boundaryLayouts.count)
        for layout in boundaryLayouts {
            meta.u32(layout.dims.count)
            for v in layout.dims + layout.order { meta.u32(v) }
        }
        let sections: [(Q8Format.Section, [UInt8])] = [(.tensors, tens.bytes), (.ops, opsSection.bytes), (.indices, indices.bytes),
                                                       (.parameters, params.bytes), (.data, data), (.io, io.bytes), (.meta, meta.bytes)]
        var body = [UInt8](repeating: 0, count: Q8Format.headerSize + sections.count * Q8Format.sectionEntrySize)
        var table = Words()
        for (tag, bytes) in sections {
            while body.count % 16 != 0 { body.append(0) }
            table.u32(Int(tag.rawValue))
            table.u32(body.count)
            table.u32(bytes.count)
            table.u32(0)
            body += bytes
        }
        while body.count % 16 != 0 { body.append(0) }
        body.replaceSubrange(Q8Format.headerSize..<(Q8Format.headerSize + table.bytes.count), with: table.bytes)
        var header = Words()
        header.u32(Int(Q8Format.magic))
        header.bytes += withUnsafeBytes(of: Q8Format.version.littleEndian) { Array($0) }
        header.bytes += withUnsafeBytes(of: UInt16(Q8Format.headerSize).littleEndian) { Array($0) }
        header.u32(body.count)
        header.u32(0)  // the CRC, below
        header.u32(sections.count)
        header.u32(plan.peak + ops.count * Q8Format.preparedOpBytes)
        header.u32(plan.lowerBound)
        header.bytes += [UInt8](repeating: 0, count: Q8Format.headerSize - header.bytes.count)
        body.replaceSubrange(0..<Q8Format.headerSize, with: header.bytes)
        Self.sealChecksum(&body)
        return (body, plan)
    }

    /// Writes the CRC-32 of every byte but bytes 12 ..< 16 into bytes 12 ..< 16 (docs/formats.md);
    /// a tool that edits a model.q8 on purpose (the fuzzer's mutator, tests) calls it after.
    public static func sealChecksum(_ bytes: inout [UInt8]) {
        var crc = CRC32()
        bytes.withUnsafeBytes {
            crc.update(UnsafeRawBufferPointer(rebasing: $0[0..<12]))
            crc.update(UnsafeRawBufferPointer(rebasing: $0[16...]))
        }
        withUnsafeBytes(of: crc.value.littleEndian) { bytes.replaceSubrange(12..<16, with: $0) }
    }

    /// Writes the encoded model to a temporary file and renames it into place.
    public func write(to path: String) throws -> ArenaPlan {
        let (bytes, plan) = encode()
        try writeAtomically(Foundation.Data(bytes), to: path)
        return plan
    }
}

/// Little-endian u32/i32 appender.
struct Words {
    var bytes: [UInt8] = []
    mutating func u32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { bytes += $0 } }
    mutating func i32(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
}
