/// Validation of a model.q8 view: after it, every read the interpreter makes is in bounds and
/// every kernel gets parameters it can run with.
extension Q8Model {
    /// Largest dimension, kernel size, stride or padding accepted (keeps all products in range).
    static let sizeLimit = 1 << 16
    /// Most ops a model may have.
    static let opLimit = 1 << 16

    func validate() throws(Q8Error) {
        guard tensorCount >= 1, opCount >= 1 else { throw Q8Error(.file, "model has no tensors or no ops") }
        for i in 0..<tensorCount { try validateTensor(i) }
        try validateIO()
        for i in 0..<opCount { try validateOp(i) }
        try validateArenaSize()
        try validateMeta()
    }

    func validateTensor(_ i: Int) throws(Q8Error) {
        let at = sections.tensors + 4 + i * Q8Format.tensorEntrySize
        guard let type = Q8Type(rawValue: bytes[at]) else { throw Q8Error(.tensor(i), "unknown tensor type") }
        guard let storage = Q8Storage(rawValue: bytes[at + 1]) else { throw Q8Error(.tensor(i), "unknown tensor storage") }
        let rank = Int(bytes[at + 2])
        guard (1...4).contains(rank) else { throw Q8Error(.tensor(i), "tensor rank is not 1 to 4") }
        guard let layout = Q8WeightLayout(rawValue: bytes[at + 3]) else { throw Q8Error(.tensor(i), "unknown weight layout") }
        switch layout {
        case .plain: break
        case .convQuads8: guard type == .int8, storage == .constant else { throw Q8Error(.tensor(i), "only int8 constants have a packed weight layout") }
        case .rowStream: guard type == .int8, storage == .arena, rank == 3 else { throw Q8Error(.tensor(i), "only [H, W, C] int8 activations are row streams") }
        }
        var count = 1
        for d in 0..<rank {
            let dim = int(at + 4 + 4 * d)
            guard dim >= 1, dim <= Self.sizeLimit else { throw Q8Error(.tensor(i), "tensor dimension is not 1 to 65536", value: dim) }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            count = product
            guard !overflow, count <= 1 << 28 else { throw Q8Error(.tensor(i), "tensor has more than 2^28 elements") }
        }
        let t = tensor(i)
        if layout == .rowStream {
            let row = t.dims.1 * t.dims.2
            guard t.byteSize % row == 0, t.byteSize >= row, t.byteSize <= count else { throw Q8Error(.tensor(i), "row stream does not hold 1 to H whole rows") }
        } else {
            guard t.byteSize == count * type.size else { throw Q8Error(.tensor(i), "tensor byte size does not match its shape") }
        }
        guard t.offset % 16 == 0 else { throw Q8Error(.tensor(i), "tensor offset is not 16-byte aligned") }
        let limit = storage == .arena ? activationBytes : sections.dataSize
        guard t.offset <= limit, t.byteSize <= limit - t.offset else {
            throw Q8Error(.tensor(i), storage == .arena ? "tensor lies outside the arena" : "tensor lies outside the DATA section")
        }
        if type == .int8 {
            guard t.scale.isFinite, t.scale > 0 else { throw Q8Error(.tensor(i), "int8 tensor scale is not a positive number") }
            guard t.zeroPoint >= -128, t.zeroPoint <= 127 else { throw Q8Error(.tensor(i), "int8 zero point outside [-128, 127]", value: Int(t.zeroPoint)) }
        }
    }

    func validateIO() throws(Q8Error) {
        guard sections.io + 4 <= bytes.count else { throw Q8Error(.section(Q8Format.Section.io.rawValue), "IO section truncated") }
        let inputs = inputCount
        guard inputs >= 1, inputs <= 16, sections.io + 8 + 4 * inputs <= bytes.count else {
            throw Q8Error(.section(Q8Format.Section.io.rawValue), "model input count is not 1 to 16")
        }
        let outputs = outputCount
        guard outputs >= 1, outputs <= 16, sections.io + 8 + 4 * (inputs + outputs) <= bytes.count else {
            throw Q8Error(.section(Q8Format.Section.io.rawValue), "model output count is not 1 to 16")
        }
        for k in 0..<(inputs + outputs) {
            let id = k < inputs ? inputTensor(k) : outputTensor(k - inputs)
            guard id < tensorCount else { throw Q8Error(.section(Q8Format.Section.io.rawValue), "model input or output is not a tensor") }
            let t = tensor(id)
            guard t.type == .int8, t.storage == .arena, t.layout == Q8WeightLayout.plain.rawValue else {
                throw Q8Error(.tensor(id), "model inputs and outputs must be int8 arena tensors, not row streams")
            }
        }
    }

    func validateMeta() throws(Q8Error) {
        let place = Q8Error.Place.section(Q8Format.Section.meta.rawValue)
        let end = sections.meta + sections.metaSize
        guard sections.metaSize >= 8 else { throw Q8Error(place, "META section truncated") }
        let channels = normalizationChannels
        guard channels <= 16, sections.meta + 8 + 8 * channels <= end else { throw Q8Error(place, "normalization does not fit META") }
        for c in 0..<channels {
            guard normalizationStd(c) > 0, normalizationStd(c).isFinite, normalizationMean(c).isFinite else {
                throw Q8Error(place, "normalization is not finite with positive std")
            }
        }
        let labels = labelCount
        guard labels <= 1 << 16 else { throw Q8Error(place, "too many labels") }
        var at = sections.meta + 8 + 8 * channels
        for _ in 0..<labels {
            guard at + 4 <= end else { throw Q8Error(place, "labels run past META") }
            let length = int(at)
            guard length <= end - at - 4 else { throw Q8Error(place, "labels run past META") }
            at += 4 + (length + 3) / 4 * 4
        }
    }

    /// The op record's common fields (code, INDX and PARM ranges, output, input indices), then
    /// the op's own contract (`Q8OpCode.validate`, the op files under `Ops/`).
    func validateOp(_ i: Int) throws(Q8Error) {
        let at = sections.ops + 4 + i * Q8Format.opEntrySize
        guard let code = Q8OpCode(rawValue: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)) else {
            throw Q8Error(.op(i), "unknown op code")
        }
        let o = op(i)
        func fail(_ message: StaticString) -> Q8Error { Q8Error(.op(i), message) }
        guard o.inputCount >= 1, o.inputCount <= 64, o.firstInput <= sections.indexCount,
              o.inputCount <= sections.indexCount - o.firstInput else { throw fail("op inputs lie outside INDX") }
        guard o.parameterCount == code.parameterCount, o.firstParameter <= sections.parameterCount,
              o.parameterCount <= sections.parameterCount - o.firstParameter else {
            throw fail("op parameter count is wrong or lies outside PARM")
        }
        guard o.output < tensorCount else { throw fail("op output is not a tensor") }
        let out = tensor(o.output)
        guard out.type == .int8, out.storage == .arena else { throw fail("op output must be an int8 arena tensor") }
        for k in 0..<o.inputCount {
            guard let id = input(k, of: o) else { continue }
            guard id < tensorCount else { throw fail("op input is not a tensor") }
        }
        try code.validate(OpView(self, i))
        try RowStream.validate(OpView(self, i))
    }

    /// The activations' arena is exactly the end of the highest arena tensor, rounded up to 16
    /// bytes (what the planner's peak is), so no header value can ask for memory the plan does not use.
    func validateArenaSize() throws(Q8Error) {
        var end = 0
        for i in 0..<tensorCount {
            let t = tensor(i)
            if t.storage == .arena { end = max(end, t.offset + t.byteSize) }
        }
        guard activationBytes == (end + 15) / 16 * 16 else {
            throw Q8Error(.byte(20), "arena size is not the planned size (highest arena tensor end + op records)")
        }
    }
}
