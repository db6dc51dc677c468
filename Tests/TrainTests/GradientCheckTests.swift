import Foundation
import Testing
@testable import Graph
@testable import Train

/// Every layer's gradients against central finite differences. Each graph is
/// input → 1×1 conv → layer under test → flatten → dense → softmax cross-entropy, so a layer's
/// input gradient is checked through the conv's weight gradient and its own parameter
/// gradients directly.
@Suite struct GradientCheckTests {
    func graph(_ input: Shape, _ build: (inout GraphBuilder, Int) -> Int) -> Graph {
        var b = GraphBuilder(input: input, seed: 11)
        let x = b.conv(b.input, Conv2D(outChannels: input.channels, kernel: (1, 1)), name: "pre")
        let y = build(&b, x)
        b.dense(b.shapes[y].dims.count == 1 ? y : b.flatten(y), 5, name: "head")
        var graph = b.graph
        // Non-trivial biases and batch-norm parameters.
        var rng = SeededRandom(seed: 3)
        for i in graph.nodes.indices {
            for p in graph.nodes[i].parameters.indices where graph.nodes[i].parameters[p].shape.count == 1 {
                graph.nodes[i].parameters[p].data = graph.nodes[i].parameters[p].data.map { $0 + Float.random(in: -0.3...0.3, using: &rng) }
            }
        }
        return graph
    }

    func loss(_ graph: Graph, _ x: [Float], _ labels: [Int]) -> Double {
        let executor = try! FloatExecutor(graph)
        var lossNode = graph.output
        if case .softmax = graph.nodes[lossNode].op { lossNode = graph.nodes[lossNode].inputs[0] }
        var logits: [Float] = []
        _ = executor.run(x, batch: labels.count, batchStatistics: true, dropoutSeed: 99) { i, v in if i == lossNode { logits = Array(v) } }
        return softmaxCrossEntropy(logits: logits, labels: labels[...], n: 5, smoothing: 0.1, scale: 1).loss / Double(labels.count)
    }

    func check(_ name: String, _ graph: Graph, batch: Int = 3) {
        var rng = SeededRandom(seed: 5)
        let x = (0..<(batch * graph.inputShape.count)).map { _ in Float.random(in: -1.5...1.5, using: &rng) }
        let labels = (0..<batch).map { $0 % 5 }
        let analytic = backpropagate(try! FloatExecutor(graph), input: x, labels: labels[...], smoothing: 0.1,
                                     scale: 1 / Float(batch), dropoutSeed: 99)
        var checked = 0
        for (n, node) in graph.nodes.enumerated() {
            for (p, tensor) in node.parameters.enumerated() where !analytic.gradients[n][p].isEmpty {
                for k in Set((0..<6).map { _ in Int.random(in: 0..<tensor.count, using: &rng) }) {
                    let eps: Float = 3e-3  // small enough not to jump ReLU kinks, large enough for float32
                    var plus = graph, minus = graph
                    plus.nodes[n].parameters[p].data[k] += eps
                    minus.nodes[n].parameters[p].data[k] -= eps
                    let numeric = (loss(plus, x, labels) - loss(minus, x, labels)) / Double(2 * eps)
                    let a = Double(analytic.gradients[n][p][k])
                    #expect(abs(a - numeric) <= 0.03 * max(abs(a), abs(numeric)) + 3e-4,
                            "\(name): node '\(node.name)' parameter \(p)[\(k)]: analytic \(a), numeric \(numeric)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 12, "\(name): only \(checked) gradients checked")
    }

    @Test func convolutions() {
        let img = Shape([7, 6, 4])
        check("conv 3×3 s2 asymmetric padding", graph(img) { b, x in
            b.conv(x, Conv2D(outChannels: 5, kernel: (3, 2), stride: (2, 1), padding: .explicit(top: 1, left: 0, bottom: 2, right: 1)))
        })
        check("conv dilated", graph(img) { b, x in b.conv(x, Conv2D(outChannels: 3, kernel: (3, 3), dilation: (2, 1), padding: .same)) })
        check("conv grouped", graph(img) { b, x in b.conv(x, Conv2D(outChannels: 6, kernel: (3, 3), stride: (2, 2), groups: 2)) })
        check("depthwise multiplier 2", graph(img) { b, x in b.depthwise(x, kernel: 3, stride: 2, multiplier: 2, hasBias: true) })
        check("depthwise dilated", graph(img) { b, x in b.depthwise(x, kernel: 3, dilation: 2) })
        check("transposed conv", graph(Shape([3, 4, 2])) { b, x in
            b.transposedConv(x, TransposedConv2D(outChannels: 3, kernel: (3, 3), stride: (2, 2), outputPadding: (1, 0)))
        })
    }

    @Test func normalizationAndActivations() {
        let img = Shape([4, 4, 3])
        check("batch norm", graph(img) { b, x in b.batchNorm(x) }, batch: 4)
        for a in [Activation.relu, .relu6, .leakyRelu(alpha: 0.2), .hardSwish, .hardSigmoid, .sigmoid, .tanh] {
            check("\(a)", graph(img) { b, x in b.activation(x, a) })
        }
        check("softmax layer", graph(Shape([1, 1, 6])) { b, x in b.add(.softmax, [x]) })
        check("dropout", graph(img) { b, x in b.add(.dropout(rate: 0.3), [x]) })
    }

    @Test func poolingAndLayout() {
        let img = Shape([5, 5, 4])
        check("max pool", graph(img) { b, x in b.add(.maxPool(Pool(kernel: (2, 2), stride: (2, 2), padding: .same)), [x]) })
        check("average pool", graph(img) { b, x in b.add(.averagePool(Pool(kernel: (3, 3), stride: (2, 2), padding: .same)), [x]) })
        check("global average pool", graph(img) { b, x in b.add(.globalAveragePool, [x]) })
        check("residual add", graph(img) { b, x in b.add(.add, [b.conv(x, Conv2D(outChannels: 4, kernel: (3, 3))), x]) })
        check("concat", graph(img) { b, x in b.add(.concat, [x, b.conv(x, Conv2D(outChannels: 2, kernel: (1, 1)))]) })
        check("channel shuffle", graph(img) { b, x in b.add(.channelShuffle(groups: 2), [b.conv(x, Conv2D(outChannels: 4, kernel: (3, 3)))]) })
        check("reshape", graph(img) { b, x in b.add(.reshape(Shape([25, 4])), [x]) })
        check("zero pad", graph(img) { b, x in b.add(.zeroPad(top: 1, left: 2, bottom: 0, right: 1), [x]) })
        check("upsample", graph(Shape([3, 3, 2])) { b, x in b.add(.upsampleNearest(scaleH: 2, scaleW: 3), [x]) })
        for (a, p) in [(false, true), (true, false), (false, false)] {
            check("bilinear resize", graph(Shape([3, 4, 2])) { b, x in
                b.add(.resizeBilinear(height: 7, width: 5, alignCorners: a, halfPixelCenters: p), [b.conv(x, Conv2D(outChannels: 2, kernel: (1, 1)))])
            })
        }
        check("mul", graph(img) { b, x in b.add(.mul, [x, b.conv(x, Conv2D(outChannels: 4, kernel: (3, 3)))]) })
        check("squeeze-excitation mul", graph(img) { b, x in
            b.add(.mul, [x, b.activation(b.dense(b.add(.globalAveragePool, [x]), 4), .hardSigmoid)])
        })
    }
}
