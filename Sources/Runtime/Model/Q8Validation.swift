/// Validation of a model.q8 view: after it, every read the interpreter makes is in bounds and
/// every kernel gets parameters it can run with.
extension Q8Model {
    /// Largest dimension, kernel size, stride or padding accepted (keeps all products in range).
    static let sizeLimit = 1 << 16

    func validate() throws(Q8Error) {
        guard tensorCount >= 1, opCount >= 1 else { throw Q8Error(.file, "model has no tensors or no ops") }
        for i in 0..<tensorCount { try validateTensor(i) }
        try validateIO()
        for i in 0..<opCount { try validateOp(i) }
        try validateMeta()
    }

    func validateTensor(_ i: Int) throws(Q8Error) {
        let at = sections.tensors + 4 + i * Q8Format.tensorEntrySize
        guard let type = Q8Type(rawValue: bytes[at]) else { throw Q8Error(.tensor(i), "unknown tensor type") }
        guard let storage = Q8Storage(rawValue: bytes[at + 1]) else { throw Q8Error(.tensor(i), "unknown tensor storage") }
        let rank = Int(bytes[at + 2])
        guard (1...4).contains(rank) else { throw Q8Error(.tensor(i), "tensor rank is not 1 to 4") }
        guard let layout = Q8WeightLayout(rawValue: bytes[at + 3]) else { throw Q8Error(.tensor(i), "unknown weight layout") }
        guard layout == .plain || (type == .int8 && storage == .constant) else {
            throw Q8Error(.tensor(i), "only int8 constants have a packed weight layout")
        }
        var count = 1
        for d in 0..<rank {
            let dim = int(at + 4 + 4 * d)
            guard dim >= 1, dim <= Self.sizeLimit else { throw Q8Error(.tensor(i), "tensor dimension is not 1 to 65536") }
            count *= dim
            guard count <= 1 << 28 else { throw Q8Error(.tensor(i), "tensor has more than 2^28 elements") }
        }
        let t = tensor(i)
        guard t.byteSize == count * type.size else { throw Q8Error(.tensor(i), "tensor byte size does not match its shape") }
        guard t.offset % 16 == 0 else { throw Q8Error(.tensor(i), "tensor offset is not 16-byte aligned") }
        let limit = storage == .arena ? arenaBytes : sections.dataSize
        guard t.offset <= limit, t.byteSize <= limit - t.offset else {
            throw Q8Error(.tensor(i), storage == .arena ? "tensor lies outside the arena" : "tensor lies outside the DATA section")
        }
        if type == .int8 {
            guard t.scale.isFinite, t.scale > 0 else { throw Q8Error(.tensor(i), "int8 tensor scale is not a positive number") }
            guard t.zeroPoint >= -128, t.zeroPoint <= 127 else { throw Q8Error(.tensor(i), "int8 zero point outside [-128, 127]") }
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
            guard t.type == .int8, t.storage == .arena else { throw Q8Error(.tensor(id), "model inputs and outputs must be int8 arena tensors") }
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
        func required(_ k: Int) throws(Q8Error) -> Q8Tensor {
            guard k < o.inputCount, let id = input(k, of: o) else { throw fail("op is missing a required input") }
            return tensor(id)
        }
        func activation(_ k: Int) throws(Q8Error) -> Q8Tensor {
            let t = try required(k)
            guard t.type == .int8, t.storage == .arena else { throw fail("op input must be an int8 activation") }
            return t
        }
        func constant(_ k: Int, _ type: Q8Type, count: Int, layout: Q8WeightLayout = .plain) throws(Q8Error) -> Q8Tensor {
            let t = try required(k)
            guard t.type == type, t.storage == .constant, t.count == count else {
                throw fail("op constant has the wrong type, storage or size")
            }
            guard t.layout == layout.rawValue else { throw fail("op constant has the wrong weight layout") }
            return t
        }
        func p(_ k: Int) -> Int { Int(parameter(k, of: o)) }
        func requireSizes(_ from: Int, _ n: Int, minimum: Int) throws(Q8Error) {
            for k in from..<(from + n) where p(k) < minimum || p(k) > Self.sizeLimit {
                throw fail("op kernel, stride, dilation or padding out of range")
            }
        }
        func requireClamp(_ k: Int) throws(Q8Error) {
            guard p(k) >= -128, p(k + 1) <= 127, p(k) <= p(k + 1) else { throw fail("op activation clamp is not inside [-128, 127]") }
        }
        func requireShifts(_ t: Q8Tensor) throws(Q8Error) {
            let shifts = constantBytes(t)
            for c in 0..<t.count {
                let s = shifts.loadUnaligned(fromByteOffset: 4 * c, as: Int32.self)
                guard s >= -31, s <= 30 else { throw fail("op requantization shift is outside [-31, 30]") }
            }
        }
        func requireShift(_ s: Int) throws(Q8Error) {
            guard s >= -31, s <= 30 else { throw fail("op requantization shift is outside [-31, 30]") }
        }
        /// Requantization inputs `k` (multipliers), `k + 1` (shifts) and optional bias `k + 2`;
        /// `extra` more optional inputs may follow.
        func requireChannelConstants(_ k: Int, channels: Int, extra: Int = 0) throws(Q8Error) {
            _ = try constant(k, .int32, count: channels)
            try requireShifts(try constant(k + 1, .int32, count: channels))
            if o.inputCount > k + 2, input(k + 2, of: o) != nil { _ = try constant(k + 2, .int32, count: channels) }
            guard o.inputCount <= k + 3 + extra else { throw fail("op has too many inputs") }
        }
        /// The window of the first and last output along one axis touches the image.
        func requireWindow(input: Int, output: Int, kernel: Int, stride: Int, dilation: Int, pad: Int) throws(Q8Error) {
            guard pad <= (kernel - 1) * dilation, (output - 1) * stride - pad < input else {
                throw fail("op output window falls outside its input")
            }
        }

        switch code {
        case .conv2d, .depthwiseConv2d:
            let x = try activation(0)
            guard x.rank == 3, out.rank == 3 else { throw fail("convolution needs [H, W, C] input and output") }
            try requireSizes(0, 6, minimum: 1)
            try requireSizes(6, 2, minimum: 0)
            try requireClamp(9)
            let (cin, cout, groups) = (x.channels, out.channels, p(8))
            let filterCount: Int
            if code == .conv2d {
                guard groups >= 1, cin % groups == 0, cout % groups == 0 else { throw fail("groups do not divide the channels") }
                filterCount = cout * p(0) * p(1) * (cin / groups)
            } else {
                guard groups == cin, cout % cin == 0 else { throw fail("depthwise groups must equal Cin and divide Cout") }
                filterCount = p(0) * p(1) * cout
            }
            _ = try constant(1, .int8, count: filterCount)
            try requireChannelConstants(2, channels: cout, extra: code == .conv2d ? 1 : 0)
            if code == .conv2d, o.inputCount > 5, input(5, of: o) != nil {
                // The same filter packed for the GEMM kernels.
                _ = try constant(5, .int8, count: Q8WeightLayout.convQuads8Count(groups: groups, outputsPerGroup: cout / groups,
                                                                                 taps: p(0) * p(1), inputsPerGroup: cin / groups),
                                 layout: .convQuads8)
            }
            try requireWindow(input: x.dims.0, output: out.dims.0, kernel: p(0), stride: p(2), dilation: p(4), pad: p(6))
            try requireWindow(input: x.dims.1, output: out.dims.1, kernel: p(1), stride: p(3), dilation: p(5), pad: p(7))
            try requireSeparate(i, o, x)
        case .fullyConnected:
            let x = try activation(0)
            try requireClamp(0)
            _ = try constant(1, .int8, count: out.count * x.count)
            try requireChannelConstants(2, channels: out.count)
            try requireSeparate(i, o, x)
        case .maxPool2d, .averagePool2d:
            let x = try activation(0)
            guard o.inputCount == 1, x.rank == 3, out.rank == 3, x.channels == out.channels else {
                throw fail("pooling needs one [H, W, C] input and output of equal C")
            }
            try requireSizes(0, 4, minimum: 1)
            try requireSizes(4, 2, minimum: 0)
            try requireClamp(6)
            guard p(4) < p(0), p(5) < p(1) else { throw fail("pool padding must be smaller than the window") }
            try requireWindow(input: x.dims.0, output: out.dims.0, kernel: p(0), stride: p(2), dilation: 1, pad: p(4))
            try requireWindow(input: x.dims.1, output: out.dims.1, kernel: p(1), stride: p(3), dilation: 1, pad: p(5))
            try requireSeparate(i, o, x)
        case .mean:
            let x = try activation(0)
            guard o.inputCount == 1, x.rank == 3, out.count == x.channels else { throw fail("mean needs [H, W, C] in and [C] out") }
            try requireShift(p(1))
            guard p(2) == 0 || p(2) == 1 else { throw fail("mean flag is not 0 or 1") }
            try requireSeparate(i, o, x)
        case .add:
            let a = try activation(0), b = try activation(1)
            guard o.inputCount == 2, a.count == out.count, b.count == a.count || (b.count == a.channels && b.rank == 1) else {
                throw fail("add inputs must match the output, or the second be a [C] vector")
            }
            try requireShift(p(1))
            try requireShift(p(3))
            try requireShift(p(5))
            try requireClamp(6)
            try requireInPlaceOrSeparate(i, o, a)
            try requireInPlaceOrSeparate(i, o, b)
        case .concatenation:
            guard out.rank == 3 else { throw fail("concatenation needs [H, W, C] tensors") }
            var channels = 0
            for k in 0..<o.inputCount {
                let x = try activation(k)
                guard x.rank == 3, x.dims.0 == out.dims.0, x.dims.1 == out.dims.1 else { throw fail("concatenated images differ in H or W") }
                channels += x.channels
                try requireSeparate(i, o, x)
            }
            guard channels == out.channels else { throw fail("concatenated channels do not add up to the output's") }
        case .channelShuffle:
            let x = try activation(0)
            guard o.inputCount == 1, x.count == out.count, p(0) >= 1, x.channels % p(0) == 0, out.channels == x.channels else {
                throw fail("channel shuffle groups must divide the channels")
            }
            try requireSeparate(i, o, x)
        case .reshape:
            let x = try activation(0)
            guard o.inputCount == 1, x.count == out.count else { throw fail("reshape changes the element count") }
            try requireInPlaceOrSeparate(i, o, x)
        case .pad:
            let x = try activation(0)
            guard o.inputCount == 1, x.rank == 3, out.rank == 3, x.channels == out.channels,
                  p(0) >= 0, p(1) >= 0, out.dims.0 >= x.dims.0 + p(0), out.dims.1 >= x.dims.1 + p(1) else {
                throw fail("pad output does not hold the padded input")
            }
            try requireSeparate(i, o, x)
        case .transposeConv2d:
            let x = try activation(0)
            guard x.rank == 3, out.rank == 3 else { throw fail("transposed convolution needs [H, W, C] tensors") }
            try requireSizes(0, 4, minimum: 1)
            try requireSizes(4, 2, minimum: 0)
            try requireClamp(6)
            _ = try constant(1, .int8, count: out.channels * p(0) * p(1) * x.channels)
            try requireChannelConstants(2, channels: out.channels)
            guard let s = o.scratch, s < tensorCount else { throw fail("transposed convolution needs a scratch tensor") }
            let scratch = tensor(s)
            guard scratch.type == .int32, scratch.storage == .arena, scratch.count >= out.count else {
                throw fail("transposed convolution scratch is not int32 [OH·OW·Cout] in the arena")
            }
            try requireSeparate(i, o, x)
            guard !overlaps(scratch, out), !overlaps(scratch, x) else { throw fail("scratch overlaps an input or the output") }
        case .resizeNearest:
            let x = try activation(0)
            guard o.inputCount == 3, x.rank == 3, out.rank == 3, x.channels == out.channels else {
                throw fail("resize needs [H, W, C] tensors of equal C")
            }
            func requireIndices(_ t: Q8Tensor, below limit: Int) throws(Q8Error) {
                for k in 0..<t.count {
                    let v = constantBytes(t).loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)
                    guard v >= 0, Int(v) < limit else { throw fail("resize source index outside the input") }
                }
            }
            try requireIndices(try constant(1, .int32, count: out.dims.0), below: x.dims.0)
            try requireIndices(try constant(2, .int32, count: out.dims.1), below: x.dims.1)
            try requireSeparate(i, o, x)
        case .softmax:
            let x = try activation(0)
            guard o.inputCount == 1, x.count == out.count, p(1) >= 0, p(1) <= 31, p(2) <= 0 else {
                throw fail("softmax parameters out of range")
            }
            try requireSeparate(i, o, x)
        case .lookup:
            let x = try activation(0)
            guard o.inputCount == 2, x.count == out.count else { throw fail("lookup output must match its input") }
            _ = try constant(1, .int8, count: 256)
            try requireInPlaceOrSeparate(i, o, x)
        }
    }

    func overlaps(_ a: Q8Tensor, _ b: Q8Tensor) -> Bool {
        a.storage == .arena && b.storage == .arena && a.offset < b.offset + b.byteSize && b.offset < a.offset + a.byteSize
    }

    /// The op's output must not overlap this input (the kernel reads it while writing).
    func requireSeparate(_ i: Int, _ o: Q8Op, _ x: Q8Tensor) throws(Q8Error) {
        if overlaps(x, tensor(o.output)) { throw Q8Error(.op(i), "op output overlaps an input it cannot share") }
    }

    /// Element-wise ops may write in place: the output either starts exactly where the input
    /// does (same bytes) or does not overlap it.
    func requireInPlaceOrSeparate(_ i: Int, _ o: Q8Op, _ x: Q8Tensor) throws(Q8Error) {
        let out = tensor(o.output)
        if overlaps(x, out) && !(x.offset == out.offset && x.byteSize == out.byteSize) {
            throw Q8Error(.op(i), "op output partly overlaps its input")
        }
    }
}
