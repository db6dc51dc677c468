import Foundation

/// Runs a float graph on batches of examples: the float baseline that accuracy-drop tests
/// compare against, the trainer's forward pass and the calibrator's observer.
///
/// Weights are packed once at init; `run` and `predict` only read the executor, so one executor
/// may serve many threads. Activations are NHWC float32, `[batch] + shape` per node.
public final class FloatExecutor: Sendable {
    public let graph: Graph
    /// Output shape of every node (batch excluded).
    public let shapes: [Shape]
    let kernels: [Kernel]
    /// For each node, the last node that reads it (its own index if none): its buffer is freed after.
    let lastUse: [Int]

    enum Kernel: Sendable {
        case input
        case conv(Conv2DFloat)
        case transposedConv(TransposedConv2DFloat)
        case dense(packed: [Float], bias: [Float], outFeatures: Int)
        case batchNorm(BatchNormFloat, epsilon: Float)
        case activation(Activation)
        case pool(PoolFloat)
        case globalAveragePool
        case add
        case mul
        case concat
        case channelShuffle(groups: Int)
        /// reshape, flatten and dropout: the values pass unchanged.
        case identity
        case zeroPad(top: Int, left: Int)
        case upsampleNearest(scaleH: Int, scaleW: Int)
        case resizeBilinear(alignCorners: Bool, halfPixelCenters: Bool)
        case softmax
    }

    /// Validates the graph (shape inference) and prepares every node's weights.
    public init(_ graph: Graph) throws(GraphError) {
        self.graph = graph
        let shapes = try graph.inferShapes()
        self.shapes = shapes
        var lastUse = Array(graph.nodes.indices)
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs { lastUse[input] = max(lastUse[input], index) }
        }
        lastUse[graph.output] = graph.nodes.count
        self.lastUse = lastUse
        kernels = graph.nodes.enumerated().map { index, node in
            let out = shapes[index]
            let inp = node.inputs.first.map { shapes[$0] } ?? out
            switch node.op {
            case .input: return .input
            case let .conv2d(c): return .conv(Conv2DFloat(c, input: inp, output: out, parameters: node.parameters))
            case let .transposedConv2d(t):
                return .transposedConv(TransposedConv2DFloat(t, input: inp, output: out, parameters: node.parameters))
            case let .dense(n, hasBias):
                let k = inp.count
                let packed = node.parameters[0].data.withUnsafeBufferPointer {
                    packPanels($0.baseAddress!, n: n, k: k, ldw: k)
                }
                return .dense(packed: packed, bias: hasBias ? node.parameters[1].data : [Float](repeating: 0, count: n),
                              outFeatures: n)
            case let .batchNorm(eps): return .batchNorm(BatchNormFloat(epsilon: eps, parameters: node.parameters), epsilon: eps)
            case let .activation(a): return .activation(a)
            case let .maxPool(p): return .pool(PoolFloat(p, isMax: true, input: inp, output: out))
            case let .averagePool(p): return .pool(PoolFloat(p, isMax: false, input: inp, output: out))
            case .globalAveragePool: return .globalAveragePool
            case .add: return .add
            case .mul: return .mul
            case .concat: return .concat
            case let .channelShuffle(g): return .channelShuffle(groups: g)
            case .reshape, .flatten, .dropout: return .identity
            case let .zeroPad(t, l, _, _): return .zeroPad(top: t, left: l)
            case let .upsampleNearest(h, w): return .upsampleNearest(scaleH: h, scaleW: w)
            case let .resizeBilinear(_, _, a, p): return .resizeBilinear(alignCorners: a, halfPixelCenters: p)
            case .softmax: return .softmax
            }
        }
    }

    /// Runs `batch` examples and returns the output node's values, `batch × outputShape.count`.
    ///
    /// - `input`: `batch × inputShape.count` values, NHWC, already normalized.
    /// - `batchStatistics`: batch-norm nodes normalize with the batch's own mean and variance
    ///   (training mode) instead of their running statistics.
    /// - `dropoutSeed`: when set, dropout nodes zero each value with their rate and scale the rest
    ///   by 1 / (1 − rate) (training mode), with masks from `dropoutMask(seed:node:count:rate:)`.
    /// - `observe`: called with each node's index and output values as soon as they exist.
    /// - `rewrite`: may change each node's output values first, before `observe` and the node's
    ///   readers see them (the converter simulates int8 rounding with it).
    public func run(_ input: [Float], batch: Int, batchStatistics: Bool = false, dropoutSeed: UInt64? = nil,
                    observe: ((Int, UnsafeBufferPointer<Float>) -> Void)? = nil,
                    rewrite: ((Int, UnsafeMutableBufferPointer<Float>) -> Void)? = nil) -> [Float] {
        var run = PartialRun(self, input: input, batch: batch)
        advance(&run, to: graph.nodes.count, batchStatistics: batchStatistics, dropoutSeed: dropoutSeed, observe: observe,
                rewrite: rewrite)
        return run.values[graph.output]!
    }

    /// A run stopped before node `next`: the outputs of earlier nodes that later nodes still read.
    /// Copies are cheap (the buffers are shared until written), so one run can be resumed many
    /// ways: the converter's range search runs the nodes before a range once and each candidate
    /// range from there.
    public struct PartialRun: Sendable {
        public internal(set) var next = 0
        let input: [Float]
        let batch: Int
        var values: [[Float]?]

        /// A run of `batch` examples (`batch × inputShape.count` values, NHWC) before node 0.
        public init(_ executor: FloatExecutor, input: [Float], batch: Int) {
            precondition(input.count == batch * executor.graph.inputShape.count, "input size does not match batch × input shape")
            self.input = input
            self.batch = batch
            values = .init(repeating: nil, count: executor.graph.nodes.count)
        }

        /// The output node's values, once the run has passed it.
        public func output(of executor: FloatExecutor) -> [Float]? { values[executor.graph.output] }
    }

    /// Runs nodes `run.next ..< end` (options as `run(_:batch:…)`), freeing each input after its last reader.
    public func advance(_ run: inout PartialRun, to end: Int, batchStatistics: Bool = false, dropoutSeed: UInt64? = nil,
                        observe: ((Int, UnsafeBufferPointer<Float>) -> Void)? = nil,
                        rewrite: ((Int, UnsafeMutableBufferPointer<Float>) -> Void)? = nil) {
        let batch = run.batch
        while run.next < end {
            let index = run.next, node = graph.nodes[index]
            var out = [Float](repeating: 0, count: batch * shapes[index].count)
            let ins = index == 0 ? [run.input] : node.inputs.map { run.values[$0]! }
            out.withUnsafeMutableBufferPointer { y in
                compute(index, kernel: kernels[index], inputs: ins, batch: batch, batchStatistics: batchStatistics, y.baseAddress!)
            }
            if let seed = dropoutSeed, case let .dropout(rate) = node.op {
                let mask = dropoutMask(seed: seed, node: index, count: out.count, rate: rate)
                for i in out.indices { out[i] *= mask[i] }
            }
            if let rewrite { out.withUnsafeMutableBufferPointer { rewrite(index, $0) } }
            if let observe { out.withUnsafeBufferPointer { observe(index, $0) } }
            run.values[index] = out
            for input in node.inputs where lastUse[input] == index { run.values[input] = nil }
            run.next += 1
        }
    }

    /// Runs `count` examples in batches of `batchSize`, spread over all cores, and returns the
    /// output node's values for all of them in order. `progress` is told, from worker threads,
    /// how many examples each finished batch held.
    public func predict(_ inputs: [Float], count: Int, batchSize: Int = 64,
                        progress: (@Sendable (Int) -> Void)? = nil) -> [Float] {
        let inCount = graph.inputShape.count
        let outCount = shapes[graph.output].count
        precondition(inputs.count == count * inCount, "inputs do not hold count examples")
        var outputs = [Float](repeating: 0, count: count * outCount)
        let chunks = (count + batchSize - 1) / batchSize
        outputs.withUnsafeMutableBufferPointer { buffer in
            let destination = SendablePointer(buffer.baseAddress)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let first = chunk * batchSize
                let n = min(batchSize, count - first)
                let result = run(Array(inputs[(first * inCount)..<((first + n) * inCount)]), batch: n)
                result.withUnsafeBufferPointer {
                    (destination.pointer! + first * outCount).update(from: $0.baseAddress!, count: n * outCount)
                }
                progress?(n)
            }
        }
        return outputs
    }

    private func compute(_ index: Int, kernel: Kernel, inputs: [[Float]], batch: Int, batchStatistics: Bool,
                         _ y: UnsafeMutablePointer<Float>) {
        let out = shapes[index]
        let node = graph.nodes[index]
        let count = batch * out.count
        inputs[0].withUnsafeBufferPointer { x0 in
            let x = x0.baseAddress!
            switch kernel {
            case .input, .identity:
                y.update(from: x, count: count)
            case let .conv(conv):
                conv.run(x, batch: batch, y)
            case let .transposedConv(t):
                t.run(x, batch: batch, y)
            case let .dense(packed, bias, n):
                packed.withUnsafeBufferPointer { w in
                    bias.withUnsafeBufferPointer { b in
                        gemmF32(m: batch, n: n, k: shapes[node.inputs[0]].count, a: x, lda: shapes[node.inputs[0]].count,
                                packedB: w.baseAddress!, bias: b.baseAddress!, c: y, ldc: n)
                    }
                }
            case let .batchNorm(bn, epsilon):
                let norm = batchStatistics ? BatchNormFloat(epsilon: epsilon,
                    parameters: batchMoments(x, count: count, channels: out.channels, gammaBeta: node.parameters)) : bn
                norm.run(x, count: count, y)
            case let .activation(a):
                activationF32(a, x, count: count, y)
            case let .pool(p):
                p.run(x, batch: batch, y)
            case .globalAveragePool:
                globalAveragePoolF32(x, batch: batch, input: shapes[node.inputs[0]], y)
            case .add:
                inputs[1].withUnsafeBufferPointer { addF32(x, $0.baseAddress!, count: count, y) }
            case .mul:
                inputs[1].withUnsafeBufferPointer {
                    mulF32(x, $0.baseAddress!, batch: batch, perExample: out.count, channels: out.channels,
                           broadcast: shapes[node.inputs[1]] != out, y)
                }
            case .concat:
                var offset = 0
                for (input, values) in zip(node.inputs, inputs) {
                    let c = shapes[input].channels
                    values.withUnsafeBufferPointer {
                        concatF32($0.baseAddress!, channels: c, pixels: batch * out.height * out.width,
                                  outputChannels: out.channels, channelOffset: offset, y)
                    }
                    offset += c
                }
            case let .channelShuffle(groups):
                channelShuffleF32(x, pixels: count / out.channels, c: out.channels, groups: groups, y)
            case let .zeroPad(top, left):
                zeroPadF32(x, batch: batch, input: shapes[node.inputs[0]], output: out, top: top, left: left, y)
            case let .upsampleNearest(h, w):
                upsampleNearestF32(x, batch: batch, input: shapes[node.inputs[0]], scaleH: h, scaleW: w, y)
            case let .resizeBilinear(a, p):
                resizeBilinearF32(x, batch: batch, input: shapes[node.inputs[0]], output: out, alignCorners: a, halfPixelCenters: p, y)
            case .softmax:
                softmaxF32(x, rows: count / out.channels, n: out.channels, y)
            }
        }
    }
}

/// Per-channel mean and (biased) variance of `count` values over the last axis, returned as
/// batch-norm parameters `[gamma, beta, mean, variance]` with the given gamma and beta.
public func batchMoments(_ x: UnsafePointer<Float>, count: Int, channels c: Int, gammaBeta: [Tensor]) -> [Tensor] {
    var mean = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
    let rows = count / c
    for p in 0..<rows {
        for ch in 0..<c {
            let v = Double(x[p * c + ch])
            mean[ch] += v
            squares[ch] += v * v
        }
    }
    let m = mean.map { Float($0 / Double(rows)) }
    let v = (0..<c).map { Float(max(squares[$0] / Double(rows) - (mean[$0] / Double(rows)) * (mean[$0] / Double(rows)), 0)) }
    return [gammaBeta[0], gammaBeta[1], Tensor(shape: [c], data: m), Tensor(shape: [c], data: v)]
}

/// Inverted-dropout mask: each entry 0 with probability `rate`, else 1 / (1 − rate); the same
/// `seed` and `node` always give the same mask (the trainer regenerates it for the backward pass).
public func dropoutMask(seed: UInt64, node: Int, count: Int, rate: Float) -> [Float] {
    var random = SeededRandom(seed: seed &+ UInt64(node) &* 0x9E37_79B9)
    let keep = 1 / (1 - rate)
    return (0..<count).map { _ in Float.random(in: 0..<1, using: &random) < rate ? 0 : keep }
}

/// A pointer handed to worker threads that write disjoint parts of one buffer.
public struct SendablePointer<T>: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<T>?
    public init(_ pointer: UnsafeMutablePointer<T>?) { self.pointer = pointer }
}
