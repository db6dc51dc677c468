import Testing
@testable import Graph
@testable import Quantize
import Q8Build

@Suite struct EqualizationTests {
    /// Trained-looking batch-norm statistics and conv biases, so channel ranges differ widely.
    func spreadStatistics(_ graph: inout Graph, seed: UInt64) {
        var rng = SeededRandom(seed: seed + 7)
        for i in graph.nodes.indices {
            if case .batchNorm = graph.nodes[i].op {
                for p in 0..<4 {
                    graph.nodes[i].parameters[p].data = graph.nodes[i].parameters[p].data.map { _ in
                        p == 3 ? Float.random(in: 0.05...4, using: &rng) : Float.random(in: -2...2, using: &rng)
                    }
                }
            }
            if case .conv2d = graph.nodes[i].op, graph.nodes[i].parameters.count > 1 {
                graph.nodes[i].parameters[1].data = graph.nodes[i].parameters[1].data.map { _ in Float.random(in: -0.5...0.5, using: &rng) }
            }
        }
    }

    /// conv → BN → ReLU → grouped conv → BN → ReLU6 → depthwise (no BN) → ReLU → conv 1×1.
    func chain(seed: UInt64) -> Graph {
        var b = GraphBuilder(input: Shape([8, 8, 4]), seed: seed)
        var x = b.convBN(b.input, Conv2D(outChannels: 8, kernel: (3, 3), hasBias: false), .relu, name: "a")
        x = b.convBN(x, Conv2D(outChannels: 8, kernel: (3, 3), groups: 2, hasBias: false), .relu6, name: "b")
        x = b.activation(b.conv(x, Conv2D(outChannels: 8, kernel: (3, 3), groups: 8), name: "c"), .relu, name: "c_relu")
        _ = b.conv(x, Conv2D(outChannels: 5, kernel: (1, 1)), name: "d")
        var graph = b.graph
        spreadStatistics(&graph, seed: seed)
        return graph
    }

    /// Largest |weight| per output channel of conv `node`, batch norm `norm` folded in.
    func outputRanges(_ g: Graph, _ node: Int, norm: Int?) -> [Float] {
        let w = g.nodes[node].parameters[0]
        let per = w.data.count / w.shape[0]
        return (0..<w.shape[0]).map { c in
            var f: Float = 1
            if let norm, case let .batchNorm(eps) = g.nodes[norm].op {
                f = abs(g.nodes[norm].parameters[0].data[c] / (g.nodes[norm].parameters[3].data[c] + eps).squareRoot())
            }
            return f * w.data[(c * per)..<((c + 1) * per)].reduce(0) { max($0, abs($1)) }
        }
    }

    @Test func keepsTheFunctionOfReLUPairsAndMatchesRanges() throws {
        for seed in UInt64(1)...5 {
            let original = chain(seed: seed)
            // The same graph with ReLU6 replaced by ReLU: what equalization must preserve exactly.
            var relu = original
            for i in relu.nodes.indices where relu.nodes[i].op == .activation(.relu6) { relu.nodes[i].op = .activation(.relu) }
            let (equalized, pairs) = equalizeCrossLayer(original)
            #expect(pairs == 3)
            #expect(!equalized.nodes.contains { $0.op == .activation(.relu6) })

            var rng = SeededRandom(seed: seed)
            let input = (0..<(3 * 8 * 8 * 4)).map { _ in Float.random(in: -2...2, using: &rng) }
            let want = try FloatExecutor(relu).run(input, batch: 3)
            let got = try FloatExecutor(equalized).run(input, batch: 3)
            let largest = want.map { abs($0) }.max()!
            for (w, g) in zip(want, got) { #expect(abs(w - g) <= 1e-4 * max(1, largest)) }

            // Pair a → b: a's channel ranges (through its BN) now equal what reads them in b.
            let a = equalized.nodes.firstIndex { $0.name == "a" }!, aNorm = equalized.nodes.firstIndex { $0.name == "a_bn" }!
            let before = outputRanges(relu, a, norm: aNorm), after = outputRanges(equalized, a, norm: aNorm)
            #expect(zip(before, after).contains { abs($0 - $1) > 1e-3 * $0 }, "seed \(seed): nothing was rescaled")
            let spreadBefore = before.max()! / before.min()!, spreadAfter = after.max()! / after.min()!
            #expect(spreadAfter < spreadBefore, "seed \(seed): spread \(spreadBefore) → \(spreadAfter)")
        }
    }

    @Test func leavesBranchingGraphsAlone() throws {
        // A conv read by two nodes is not a pair: rescaling it would change the other reader.
        var b = GraphBuilder(input: Shape([6, 6, 2]), seed: 3)
        let x = b.convBN(b.input, Conv2D(outChannels: 4, kernel: (3, 3)), .relu, name: "a")
        let y = b.conv(x, Conv2D(outChannels: 4, kernel: (1, 1)), name: "b")
        _ = b.add(.add, [x, y], name: "sum")
        let (equalized, pairs) = equalizeCrossLayer(b.graph)
        #expect(pairs == 0)
        #expect(equalized == b.graph)
    }

    /// A ShuffleNet-like unit: conv → BN → ReLU → shuffle → depthwise → BN → grouped 1×1 → BN,
    /// added to the ReLU output, ReLU, concatenated with its own average pool, then
    /// 1×1 → BN → ReLU6 → 1×1 (the model's output).
    func unit(seed: UInt64) -> Graph {
        var b = GraphBuilder(input: Shape([8, 8, 4]), seed: seed)
        let a = b.convBN(b.input, Conv2D(outChannels: 8, kernel: (3, 3)), .relu, name: "a")
        var x = b.add(.channelShuffle(groups: 2), [a], name: "shuffle")
        x = b.batchNorm(b.depthwise(x, name: "dw"), name: "dw_bn")
        x = b.convBN(x, Conv2D(outChannels: 8, kernel: (1, 1), groups: 2), nil, name: "expand")
        x = b.activation(b.add(.add, [x, a], name: "sum"), .relu, name: "sum_relu")
        let pooled = b.add(.averagePool(Pool(kernel: (3, 3), stride: (1, 1), padding: .same)), [x], name: "pool")
        x = b.add(.concat, [pooled, x], name: "concat")
        x = b.convBN(x, Conv2D(outChannels: 8, kernel: (1, 1)), .relu6, name: "t")
        _ = b.conv(x, Conv2D(outChannels: 3, kernel: (1, 1)), name: "out")
        var graph = b.graph
        spreadStatistics(&graph, seed: seed)
        return graph
    }

    @Test func activationEqualizationKeepsTheFunctionAndWidensNarrowChannels() throws {
        for seed in UInt64(1)...5 {
            let graph = unit(seed: seed)
            var rng = SeededRandom(seed: seed)
            let count = 6
            let input = (0..<(count * 8 * 8 * 4)).map { _ in Float.random(in: -2...2, using: &rng) }
            let groups = floatNodeGroups(requantizingSharedInputs(try lower(graph)))
            let quantized = Set(groups.joined())
            let before = try channelAbsoluteMaxima(graph, nodes: quantized, inputs: input, count: count)
            let (equalized, classes) = try equalizeActivationRanges(graph, channelRanges: before, groups: groups)
            #expect(classes > 0)

            let want = try FloatExecutor(graph).run(input, batch: count)
            let got = try FloatExecutor(equalized).run(input, batch: count)
            let largest = want.map { abs($0) }.max()!
            for (w, g) in zip(want, got) { #expect(abs(w - g) <= 1e-4 * max(1, largest), "seed \(seed)") }

            let after = try channelAbsoluteMaxima(equalized, nodes: quantized, inputs: input, count: count)
            func named(_ name: String) -> Int { graph.nodes.firstIndex { $0.name == name }! }
            // No quantization group's widest channel grows; no channel shrinks.
            for group in groups {
                let widestBefore = group.map { before[$0]!.max()! }.max()!, widestAfter = group.map { after[$0]!.max()! }.max()!
                #expect(widestAfter <= widestBefore * 1.0001, "seed \(seed) \(group.map { graph.nodes[$0].name })")
            }
            for node in quantized { for (x, y) in zip(before[node]!, after[node]!) { #expect(y >= x * 0.9999) } }
            // The depthwise output is a class of one tensor per channel: all reach the widest.
            let dw = named("dw_bn")
            for r in after[dw]! { #expect(abs(r - before[dw]!.max()!) <= 1e-3 * before[dw]!.max()!, "seed \(seed)") }
            // The residual stream's channels grew somewhere.
            let stream = named("sum_relu")
            #expect(zip(before[stream]!, after[stream]!).contains { $1 > $0 * 1.01 }, "seed \(seed)")
            // Behind ReLU6 nothing changes.
            #expect(equalized.nodes[named("out")] == graph.nodes[named("out")])
        }
    }
}
