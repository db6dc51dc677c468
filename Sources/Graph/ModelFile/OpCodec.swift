/// Op codes and attribute encodings of model.bin's GRPH section (docs/formats.md).
extension ModelFile {
    static func encodeOp(_ op: Op, into w: inout ByteWriter) {
        func padding(_ p: Padding) {
            switch p {
            case .same: w.u8(0)
            case .valid: w.u8(1)
            case let .explicit(t, l, b, r): w.u8(2); for v in [t, l, b, r] { w.int(v) }
            }
        }
        func shape(_ s: Shape) { w.u8(UInt8(s.dims.count)); for d in s.dims { w.int(d) } }
        switch op {
        case let .input(s): w.u8(0); shape(s)
        case let .conv2d(c):
            w.u8(1)
            for v in [c.outChannels, c.kernelH, c.kernelW, c.strideH, c.strideW, c.dilationH, c.dilationW] { w.int(v) }
            padding(c.padding); w.int(c.groups); w.bool(c.hasBias)
        case let .transposedConv2d(t):
            w.u8(2)
            for v in [t.outChannels, t.kernelH, t.kernelW, t.strideH, t.strideW] { w.int(v) }
            padding(t.padding); w.int(t.outputPaddingH); w.int(t.outputPaddingW); w.bool(t.hasBias)
        case let .dense(n, hasBias): w.u8(3); w.int(n); w.bool(hasBias)
        case let .batchNorm(eps): w.u8(4); w.f32(eps)
        case let .activation(a):
            w.u8(5)
            switch a {
            case .relu: w.u8(0)
            case .relu6: w.u8(1)
            case let .leakyRelu(alpha): w.u8(2); w.f32(alpha)
            case .hardSwish: w.u8(3)
            case .sigmoid: w.u8(4)
            case .tanh: w.u8(5)
            case .hardSigmoid: w.u8(6)
            }
        case let .maxPool(p), let .averagePool(p):
            if case .maxPool = op { w.u8(6) } else { w.u8(7) }
            for v in [p.kernelH, p.kernelW, p.strideH, p.strideW] { w.int(v) }
            padding(p.padding)
        case .globalAveragePool: w.u8(8)
        case .add: w.u8(9)
        case .concat: w.u8(10)
        case let .channelShuffle(g): w.u8(11); w.int(g)
        case let .reshape(s): w.u8(12); shape(s)
        case .flatten: w.u8(13)
        case let .zeroPad(t, l, b, r): w.u8(14); for v in [t, l, b, r] { w.int(v) }
        case let .upsampleNearest(h, v): w.u8(15); w.int(h); w.int(v)
        case .softmax: w.u8(16)
        case let .dropout(rate): w.u8(17); w.f32(rate)
        case .mul: w.u8(18)
        case let .resizeBilinear(h, v, a, p): w.u8(19); w.int(h); w.int(v); w.bool(a); w.bool(p)
        }
    }

    /// Largest value accepted for a size attribute (kernel, stride, channels, padding…).
    static let attributeLimit = 1 << 20

    static func decodeOp(_ r: inout ByteReader) throws(ModelFileError) -> Op {
        func size(_ what: String, minimum: Int = 1) throws(ModelFileError) -> Int {
            try r.int(what, in: minimum...attributeLimit)
        }
        func padding() throws(ModelFileError) -> Padding {
            switch try r.u8() {
            case 0: return .same
            case 1: return .valid
            case 2:
                return .explicit(top: try size("padding top", minimum: 0), left: try size("padding left", minimum: 0),
                                 bottom: try size("padding bottom", minimum: 0), right: try size("padding right", minimum: 0))
            case let v: throw r.error("unknown padding kind \(v)")
            }
        }
        func shape() throws(ModelFileError) -> Shape {
            let rank = Int(try r.u8())
            guard (1...4).contains(rank) else { throw r.error("shape rank \(rank) is not 1...4") }
            var dims: [Int] = []
            for _ in 0..<rank { dims.append(try size("dimension")) }
            return Shape(dims)
        }
        let code = try r.u8()
        switch code {
        case 0: return .input(try shape())
        case 1:
            var c = Conv2D(outChannels: try size("output channels"), kernel: (try size("kernel height"), try size("kernel width")))
            (c.strideH, c.strideW) = (try size("stride height"), try size("stride width"))
            (c.dilationH, c.dilationW) = (try size("dilation height"), try size("dilation width"))
            c.padding = try padding()
            c.groups = try size("groups")
            c.hasBias = try r.bool("bias")
            return .conv2d(c)
        case 2:
            var t = TransposedConv2D(outChannels: try size("output channels"), kernel: (try size("kernel height"), try size("kernel width")))
            (t.strideH, t.strideW) = (try size("stride height"), try size("stride width"))
            t.padding = try padding()
            (t.outputPaddingH, t.outputPaddingW) = (try size("output padding height", minimum: 0), try size("output padding width", minimum: 0))
            t.hasBias = try r.bool("bias")
            return .transposedConv2d(t)
        case 3: return .dense(outFeatures: try size("output features"), hasBias: try r.bool("bias"))
        case 4: return .batchNorm(epsilon: try r.finite("epsilon"))
        case 5:
            switch try r.u8() {
            case 0: return .activation(.relu)
            case 1: return .activation(.relu6)
            case 2: return .activation(.leakyRelu(alpha: try r.finite("alpha")))
            case 3: return .activation(.hardSwish)
            case 4: return .activation(.sigmoid)
            case 5: return .activation(.tanh)
            case 6: return .activation(.hardSigmoid)
            case let v: throw r.error("unknown activation \(v)")
            }
        case 6, 7:
            let p = Pool(kernel: (try size("kernel height"), try size("kernel width")),
                         stride: (try size("stride height"), try size("stride width")), padding: try padding())
            return code == 6 ? .maxPool(p) : .averagePool(p)
        case 8: return .globalAveragePool
        case 9: return .add
        case 10: return .concat
        case 11: return .channelShuffle(groups: try size("groups"))
        case 12: return .reshape(try shape())
        case 13: return .flatten
        case 14:
            return .zeroPad(top: try size("top", minimum: 0), left: try size("left", minimum: 0),
                            bottom: try size("bottom", minimum: 0), right: try size("right", minimum: 0))
        case 15: return .upsampleNearest(scaleH: try size("scale height"), scaleW: try size("scale width"))
        case 16: return .softmax
        case 17: return .dropout(rate: try r.finite("dropout rate"))
        case 18: return .mul
        case 19:
            return .resizeBilinear(height: try size("height"), width: try size("width"), alignCorners: try r.bool("align corners"),
                                   halfPixelCenters: try r.bool("half-pixel centres"))
        default: throw r.error("unknown op code \(code)")
        }
    }
}
