import Testing
import TestSupport
import Train
@testable import Graph
@testable import Quantize
import Q8Build

/// The machinery that makes conversion fast must not change what it computes: resumed float runs
/// give the bytes of whole runs, and parallel calibration passes see every image once, in an
/// order that does not depend on the machine.
@Suite struct CalibrationPassTests {
    func shuffleNet(images: Int, seed: UInt64) throws -> (FloatExecutor, [Float]) {
        var model = try #require(Zoo.model("fm_shuffle", seed: 4))
        try model.calibrateBatchNormOnRandomImages(images: 8, seed: 2)
        var rng = SeededRandom(seed: seed)
        let inputs = (0..<(images * model.graph.inputShape.count)).map { _ in Float.random(in: -0.5...2, using: &rng) }
        return (try FloatExecutor(model.graph), inputs)
    }

    /// fm_shuffle has branches, so a cut keeps tensors that later nodes read; every cut, and two
    /// resumptions of one cut (as the range search's candidates), give the whole run's output.
    @Test func partialRunsResumeToTheWholeRunsOutput() throws {
        let (executor, inputs) = try shuffleNet(images: 5, seed: 7)
        let whole = executor.run(inputs, batch: 5)
        let nodes = executor.graph.nodes.count
        for cut in [0, 1, 2, nodes / 3, nodes / 2, nodes - 2, nodes - 1, nodes] {
            var prefix = FloatExecutor.PartialRun(executor, input: inputs, batch: 5)
            executor.advance(&prefix, to: cut)
            #expect(prefix.next == cut)
            var first = prefix, second = prefix
            executor.advance(&first, to: nodes)
            // A rewrite on the first resumption must not reach the second through shared buffers.
            executor.advance(&second, to: nodes, rewrite: { _, values in for j in values.indices { values[j] = 0 } })
            #expect(first.output(of: executor) == whole, "cut at \(cut)")
            var third = prefix
            executor.advance(&third, to: nodes)
            #expect(third.output(of: executor) == whole, "cut at \(cut), resumed again")
        }
    }

    /// 300 images of 28×28 run as batches of 64, 64, 64, 64, 44: lane 0 gets batches 0 and 4,
    /// lanes 1–3 one each, each in order; together they hold every image once.
    @Test func parallelPassesGiveEachLaneItsBatchesInOrder() throws {
        let (executor, inputs) = try shuffleNet(images: 300, seed: 8)
        let perImage = executor.graph.inputShape.count
        #expect(calibrationBatch(imageSize: perImage) == 64)
        var reported: [Int] = []
        let lanes = observeInParallel(executor, inputs: inputs, count: 300, progress: { reported.append($0) }, start: { [[Float]]() }) {
            (seen: inout [[Float]], images, node, values) in
            guard node == 0 else { return }
            #expect(values.count == images.count * perImage)
            seen.append(Array(values))
        }
        #expect(lanes.count == observationLanes)
        func batch(_ b: Int) -> [Float] { Array(inputs[(b * 64 * perImage)..<(min(300, (b + 1) * 64) * perImage)]) }
        #expect(lanes[0] == [batch(0), batch(4)])
        for lane in 1..<4 { #expect(lanes[lane] == [batch(lane)]) }
        #expect(reported == [256, 300])
    }

    /// Statistics accumulated over lanes equal one sequential pass: the same extremes and
    /// histogram counts (integers), and channel means within rounding of the order of summation.
    @Test func statisticsMatchOneSequentialPass() throws {
        let (executor, inputs) = try shuffleNet(images: 150, seed: 9)
        let stats = try ActivationStatistics(graph: executor.graph, inputs: inputs, count: 150)
        var minimum = [Float](repeating: .infinity, count: executor.shapes.count), maximum = minimum.map { -$0 }
        var values = [Int: [Float]]()
        _ = executor.run(inputs, batch: 150) { node, v in
            minimum[node] = v.min()!
            maximum[node] = v.max()!
            values[node] = Array(v)
        }
        #expect(stats.minimum == minimum && stats.maximum == maximum)
        for node in executor.shapes.indices {
            #expect(stats.histograms[node].reduce(0, +) == values[node]!.count)
            let c = executor.shapes[node].channels
            let mean0 = stride(from: 0, to: values[node]!.count, by: c).reduce(0.0) { $0 + Double(values[node]![$1]) }
                / Double(values[node]!.count / c)
            #expect(abs(stats.channelMeans[node][0] - mean0) <= 1e-9 * max(1, abs(mean0)))
        }
    }
}
