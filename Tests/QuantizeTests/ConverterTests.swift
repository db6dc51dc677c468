import Foundation
import Testing
import TestSupport
import Train
@testable import Graph
@testable import Quantize
import Q8Build
@testable import Runtime

@Suite struct ConverterTests {
    /// The lowered graph rebuilt as a float graph (folded weights, fused clamps as activations),
    /// so that folding can be checked against the original.
    func floatGraph(of lowered: [LoweredNode], input: Shape) -> Graph {
        var nodes: [Node] = []
        var indexOf: [Int] = []
        for node in lowered {
            let inputs = node.inputs.map { indexOf[$0] }
            func activation(_ a: FusedActivation) {
                guard a != .none else { return }
                nodes.append(Node(name: node.name + "_act", op: .activation(a == .relu ? .relu : .relu6), inputs: [nodes.count - 1]))
            }
            switch node.op {
            case .input: nodes.append(Node(name: "input", op: .input(input)))
            case let .conv(c, w, b, a):
                var conv = c
                conv.hasBias = true
                let cin = w.count / (c.outChannels * c.kernelH * c.kernelW)  // input channels per group
                nodes.append(Node(name: node.name, op: .conv2d(conv), inputs: inputs,
                            parameters: [Tensor(shape: [c.outChannels, c.kernelH, c.kernelW, cin], data: w), Tensor(shape: [c.outChannels], data: b)]))
                activation(a)
            case let .dense(w, b, a):
                nodes.append(Node(name: node.name, op: .dense(outFeatures: b.count, hasBias: true), inputs: inputs,
                            parameters: [Tensor(shape: [b.count, w.count / b.count], data: w), Tensor(shape: [b.count], data: b)]))
                activation(a)
            case .mean: nodes.append(Node(name: node.name, op: .globalAveragePool, inputs: inputs))
            case let .add(a):
                nodes.append(Node(name: node.name, op: .add, inputs: inputs))
                activation(a)
            case .reshape: nodes.append(Node(name: node.name, op: .reshape(node.shape), inputs: inputs))
            default: preconditionFailure("not used in these tests")
            }
            indexOf.append(nodes.count - 1)
        }
        return Graph(nodes: nodes)
    }

    /// A conv → BN → ReLU6 → conv → BN → add → ReLU → pool → dense graph with trained-looking
    /// batch-norm statistics.
    func residualGraph(seed: UInt64) -> Graph {
        var b = GraphBuilder(input: Shape([9, 9, 3]), seed: seed)
        var rng = SeededRandom(seed: seed + 1)
        let x = b.convBN(b.input, Conv2D(outChannels: 6, kernel: (3, 3), stride: (2, 2)), .relu6, name: "a")
        let y = b.convBN(x, Conv2D(outChannels: 6, kernel: (3, 3), groups: 6), nil, name: "b")
        let z = b.activation(b.add(.add, [x, y], name: "sum"), .relu, name: "sum_relu")
        b.dense(b.add(.globalAveragePool, [z], name: "pool"), 4, name: "fc")
        var graph = b.graph
        for i in graph.nodes.indices {
            if case .batchNorm = graph.nodes[i].op {
                for p in 0..<4 {
                    graph.nodes[i].parameters[p].data = graph.nodes[i].parameters[p].data.map { _ in
                        p == 3 ? Float.random(in: 0.2...3, using: &rng) : Float.random(in: -1...1.5, using: &rng)
                    }
                }
            }
        }
        return graph
    }

    @Test func batchNormFoldingKeepsFloatOutputs() throws {
        for seed in UInt64(1)...10 {
            let graph = residualGraph(seed: seed)
            let lowered = try lower(graph)
            // conv+BN+ReLU6, depthwise+BN, add+ReLU, mean, dense: BN and activations absorbed.
            #expect(lowered.count == 6)
            let folded = floatGraph(of: lowered, input: graph.inputShape)
            var rng = SeededRandom(seed: seed)
            let x = (0..<(8 * graph.inputShape.count)).map { _ in Float.random(in: -2...2, using: &rng) }
            let a = try FloatExecutor(graph).run(x, batch: 8), b = try FloatExecutor(folded).run(x, batch: 8)
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
        }
    }

    /// The program's dequantized outputs for `count` normalized inputs.
    func int8Outputs(_ conversion: Conversion, inputs: [Float], count: Int) throws -> [Float] {
        try withAlignedBytes(conversion.program.encode().bytes) { buffer -> [Float] in
            let q8 = try Q8Model(bytes: buffer)
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: q8.arenaBytes, alignment: 16)
            defer { arena.deallocate() }
            let interpreter = try Interpreter(model: q8, arena: arena)
            let inT = q8.tensor(q8.inputTensor(0)), outT = q8.tensor(q8.outputTensor(0))
            var result: [Float] = []
            for i in 0..<count {
                inputs.withUnsafeBufferPointer {
                    quantize_f32_s8(input: $0.baseAddress! + i * inT.count, count: inT.count, scale: inT.scale,
                                    zeroPoint: inT.zeroPoint, output: interpreter.input(0).baseAddress!)
                }
                interpreter.invoke()
                result += interpreter.output(0).map { outT.scale * Float(Int32($0) - outT.zeroPoint) }
            }
            return result
        }
    }

    @Test func biasCorrectionShrinksTheMeanOutputError() throws {
        var model = try #require(Zoo.model("fm_resnet", seed: 5))
        try model.calibrateBatchNormOnRandomImages(images: 16, seed: 2)
        var rng = SeededRandom(seed: 6)
        let count = 96
        let inputs = (0..<(count * model.graph.inputShape.count)).map { _ in
            (Float.random(in: 0...1, using: &rng) - model.normalization.mean[0]) / model.normalization.std[0]
        }
        let floatOut = try FloatExecutor(model.graph).run(inputs, batch: count)
        /// Σ over classes of |mean over images of (int8 − float)|.
        func meanError(_ biasCorrection: Bool) throws -> Double {
            let out = try int8Outputs(try convert(model, calibration: inputs, count: count, options: ConversionOptions(biasCorrection: biasCorrection)),
                                      inputs: inputs, count: count)
            let classes = out.count / count
            return (0..<classes).reduce(0) { sum, c in
                sum + abs((0..<count).reduce(0.0) { $0 + Double(out[$1 * classes + c] - floatOut[$1 * classes + c]) } / Double(count))
            }
        }
        let before = try meanError(false), after = try meanError(true)
        #expect(after < 0.5 * before, "mean output error \(before) → \(after)")
    }

    @Test func int8TracksFloatOnEveryZooArchitecture() throws {
        for name in ["fm_dsconv", "fm_resnet", "fm_shuffle"] {
            var model = try #require(Zoo.model(name, seed: 4))
            try model.calibrateBatchNormOnRandomImages(images: 16, seed: 2)
            var rng = SeededRandom(seed: 3)
            let count = 64
            let inputs = (0..<(count * model.graph.inputShape.count)).map { _ in
                (Float.random(in: 0...1, using: &rng) - model.normalization.mean[0]) / model.normalization.std[0]
            }
            let conversion = try convert(model, calibration: inputs, count: count)
            let floatOut = try FloatExecutor(model.graph).run(inputs, batch: count)
            // Dequantized int8 logits against float: signal-to-quantization-noise above 15 dB.
            let out = try int8Outputs(conversion, inputs: inputs, count: count)
            let signal = floatOut.reduce(0) { $0 + Double($1 * $1) }
            let noise = zip(floatOut, out).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            let sqnr = 10 * log10(signal / max(noise, 1e-12))
            #expect(sqnr > 15, "\(name): SQNR \(sqnr) dB")
        }
    }

    /// fm_shuffle's stem feeds a 1×1 conv and an average pool that shares the concatenation's
    /// quantization: the pool reads a requantized copy, and the stem keeps its own, narrower range.
    @Test func sharedQuantizationGetsARequantizedCopyOfAnInputWithOtherReaders() throws {
        var model = try #require(Zoo.model("fm_shuffle", seed: 4))
        try model.calibrateBatchNormOnRandomImages(images: 8, seed: 2)
        let lowered = requantizingSharedInputs(try lower(model.graph))
        let pool = try #require(lowered.firstIndex { $0.name == "unit1_pool" })
        let copy = lowered[lowered[pool].inputs[0]]
        guard case .requantize = copy.op else { Issue.record("unit1_pool reads \(copy.name)"); return }
        #expect(lowered[copy.inputs[0]].name == "stem" && copy.name == "stem_requantized")
        // Stride-2 units: the stem and unit 2's output each get one copy; nothing else does.
        #expect(lowered.filter { if case .requantize = $0.op { return true } else { return false } }.count == 2)

        var rng = SeededRandom(seed: 3)
        let inputs = (0..<(16 * model.graph.inputShape.count)).map { _ in Float.random(in: -0.8...2, using: &rng) }
        let layers = try convert(model, calibration: inputs, count: 16, options: ConversionOptions(biasCorrection: false)).layers
        let stem = try #require(layers.first { $0.name == "stem" }), copied = try #require(layers.first { $0.name == "stem_requantized" })
        let concat = try #require(layers.first { $0.name == "unit1_concat" })
        #expect(copied.quantization == concat.quantization && stem.quantization != concat.quantization)
        #expect(stem.quantization.scale < concat.quantization.scale)
    }

    @Test func unsupportedGraphsNameTheNode() {
        let graph = Graph(nodes: [
            Node(name: "in", op: .input(Shape([2, 2, 1]))),
            Node(name: "flat", op: .flatten, inputs: [0]),
            Node(name: "norm", op: .batchNorm(epsilon: 1e-3), inputs: [1],
                 parameters: [Tensor(zeros: [4]), Tensor(zeros: [4]), Tensor(zeros: [4]), Tensor(shape: [4], data: [1, 1, 1, 1])]),
        ])
        #expect { try lower(graph) } throws: { "\($0)".contains("'norm'") && "\($0)".contains("batch norm on a vector") }
    }

    @Test func percentileClipsOutliers() throws {
        // One input value of 1000 among 100,000 values in [0, 1]: min/max keeps it, the 99.99th
        // percentile drops it.
        var values = (0..<99_999).map { Float($0 % 1000) / 1000 }
        values.append(1000)
        let graph = Graph(nodes: [Node(name: "in", op: .input(Shape([1, 1, 1])))])
        let stats = try ActivationStatistics(graph: graph, inputs: values, count: values.count)
        #expect(stats.range(0, .minmax) == (0, 1000))
        #expect(stats.range(0, .percentile).1 < 2)
    }
}
