/// Runs a validated model.q8 in a caller-provided arena. It never allocates, touches no memory
/// but the model buffer, the arena and the views it hands out, and keeps no global state.
///
/// ```
/// let model = try Q8Model(bytes: buffer)
/// let interpreter = try Interpreter(model: model, arena: arena)   // arena.count ≥ model.arenaBytes
/// interpreter.input(0).update(from: ...)                         // int8 input
/// interpreter.invoke()
/// let scores = interpreter.output(0)
/// ```
public struct Interpreter {
    public let model: Q8Model
    /// What runs convolutions and dense layers (`KernelSet.reference` unless given).
    public let kernels: KernelSet
    let arena: UnsafeMutableRawPointer

    /// Checks that the arena is large enough and 16-byte aligned.
    public init(model: Q8Model, arena: UnsafeMutableRawBufferPointer, kernels: KernelSet = .reference) throws(Q8Error) {
        guard let base = arena.baseAddress, arena.count >= model.arenaBytes else {
            throw Q8Error(.file, "arena is smaller than the model's planned arena size")
        }
        guard UInt(bitPattern: base) % 16 == 0 else { throw Q8Error(.file, "arena is not 16-byte aligned") }
        self.model = model
        self.kernels = kernels
        self.arena = base
    }

    /// Model input `i` (int8, the input tensor's shape and quantization) inside the arena.
    public func input(_ i: Int) -> UnsafeMutableBufferPointer<Int8> {
        let t = model.tensor(model.inputTensor(i))
        return UnsafeMutableBufferPointer(start: activation(t), count: t.count)
    }

    /// Model output `i` (int8) inside the arena; valid until the next `invoke`.
    public func output(_ i: Int) -> UnsafeBufferPointer<Int8> {
        let t = model.tensor(model.outputTensor(i))
        return UnsafeBufferPointer(start: activation(t), count: t.count)
    }

    @inline(__always)
    func activation(_ t: Q8Tensor) -> UnsafeMutablePointer<Int8> {
        (arena + t.offset).assumingMemoryBound(to: Int8.self)
    }

    @inline(__always)
    func int8Constant(_ id: Int) -> UnsafePointer<Int8> {
        model.constantBytes(model.tensor(id)).assumingMemoryBound(to: Int8.self)
    }

    @inline(__always)
    func int32Constant(_ id: Int?) -> UnsafePointer<Int32>? {
        guard let id else { return nil }
        return model.constantBytes(model.tensor(id)).assumingMemoryBound(to: Int32.self)
    }

    /// Runs every op in order.
    public func invoke() {
        for i in 0..<model.opCount { run(model.op(i)) }
    }

    /// Runs one op: convolutions, dense layers, adds, pools and means through `kernels`, the rest
    /// with the reference kernels.
    public func run(_ o: Q8Op) {
        let out = model.tensor(o.output)
        let y = activation(out)
        let x = model.tensor(model.input(0, of: o)!)
        func p(_ k: Int) -> Int { Int(model.parameter(k, of: o)) }
        func p32(_ k: Int) -> Int32 { model.parameter(k, of: o) }
        func requantization() -> ChannelRequantization {
            ChannelRequantization(multipliers: int32Constant(model.input(2, of: o))!, shifts: int32Constant(model.input(3, of: o))!)
        }
        func bias() -> UnsafePointer<Int32>? { o.inputCount > 4 ? int32Constant(model.input(4, of: o)) : nil }
        func convParams() -> Conv2DParams {
            Conv2DParams(input: x.image, output: out.image, kernelH: p(0), kernelW: p(1), strideH: p(2), strideW: p(3),
                         dilationH: p(4), dilationW: p(5), padTop: p(6), padLeft: p(7), groups: p(8),
                         inputZeroPoint: x.zeroPoint, outputZeroPoint: out.zeroPoint, activationMin: p32(9), activationMax: p32(10))
        }
        func poolParams() -> Pool2DParams {
            Pool2DParams(input: x.image, output: out.image, kernelH: p(0), kernelW: p(1), strideH: p(2), strideW: p(3),
                         padTop: p(4), padLeft: p(5), activationMin: p32(6), activationMax: p32(7))
        }
        switch o.code {
        case .conv2d:
            if let packedConv = kernels.conv2dPacked, o.inputCount > 5, let packed = model.input(5, of: o) {
                packedConv(convParams(), activation(x), int8Constant(packed), bias(), requantization(), y)
            } else {
                kernels.conv2d(convParams(), activation(x), int8Constant(model.input(1, of: o)!), bias(), requantization(), y)
            }
        case .depthwiseConv2d:
            kernels.depthwiseConv2d(convParams(), activation(x), int8Constant(model.input(1, of: o)!), bias(), requantization(), y)
        case .fullyConnected:
            let params = FullyConnectedParams(inputs: x.count, outputs: out.count, inputZeroPoint: x.zeroPoint,
                                              outputZeroPoint: out.zeroPoint, activationMin: p32(0), activationMax: p32(1))
            kernels.fullyConnected(params, activation(x), int8Constant(model.input(1, of: o)!), bias(), requantization(), y)
        case .maxPool2d:
            kernels.maxPool2d(poolParams(), activation(x), y)
        case .averagePool2d:
            kernels.averagePool2d(poolParams(), activation(x), y)
        case .mean:
            kernels.mean(MeanParams(input: x.image, inputZeroPoint: x.zeroPoint, outputZeroPoint: out.zeroPoint,
                                    multiplier: p32(0), shift: p32(1), sameQuantization: p(2) == 1), activation(x), y)
        case .add:
            let b = model.tensor(model.input(1, of: o)!)
            let params = AddParams(input1ZeroPoint: x.zeroPoint, input2ZeroPoint: b.zeroPoint, outputZeroPoint: out.zeroPoint,
                                   input1Multiplier: p32(0), input1Shift: p32(1), input2Multiplier: p32(2), input2Shift: p32(3),
                                   outputMultiplier: p32(4), outputShift: p32(5), activationMin: p32(6), activationMax: p32(7))
            kernels.add(params, activation(x), activation(b), b.count, out.count, y)
        case .concatenation:
            var offset = 0
            for k in 0..<o.inputCount {
                let part = model.tensor(model.input(k, of: o)!)
                concat_s8(input: activation(part), channels: part.channels, pixels: out.dims.0 * out.dims.1,
                          outputChannels: out.channels, channelOffset: offset, output: y)
                offset += part.channels
            }
        case .channelShuffle:
            channel_shuffle_s8(input: activation(x), pixels: x.count / x.channels, channels: x.channels, groups: p(0), output: y)
        case .reshape:
            if x.offset != out.offset { y.update(from: activation(x), count: out.count) }
        case .pad:
            pad_s8(input: activation(x), inputShape: x.image, outputShape: out.image, top: p(0), left: p(1),
                   fill: Int8(truncatingIfNeeded: out.zeroPoint), output: y)
        case .transposeConv2d:
            // Eight parameter words: kernel, stride, padding, clamp (no dilation or groups).
            let params = Conv2DParams(input: x.image, output: out.image, kernelH: p(0), kernelW: p(1), strideH: p(2),
                                      strideW: p(3), dilationH: 1, dilationW: 1, padTop: p(4), padLeft: p(5), groups: 1,
                                      inputZeroPoint: x.zeroPoint, outputZeroPoint: out.zeroPoint,
                                      activationMin: p32(6), activationMax: p32(7))
            let scratch = (arena + model.tensor(o.scratch!).offset).assumingMemoryBound(to: Int32.self)
            transpose_conv2d_s8(params, input: activation(x), filter: int8Constant(model.input(1, of: o)!), bias: bias(),
                                requantization: requantization(), scratch: scratch, output: y)
        case .resizeNearest:
            resize_nearest_s8(input: activation(x), inputShape: x.image, outputShape: out.image,
                              rows: int32Constant(model.input(1, of: o))!, cols: int32Constant(model.input(2, of: o))!, output: y)
        case .softmax:
            softmax_s8(SoftmaxParams(rows: x.count / x.channels, depth: x.channels, inputMultiplier: p32(0),
                                     inputLeftShift: p32(1), diffMin: p32(2)),
                       input: activation(x), output: y)
        case .lookup:
            lut_s8(input: activation(x), count: x.count, table: int8Constant(model.input(1, of: o)!), output: y)
        }
    }
}
