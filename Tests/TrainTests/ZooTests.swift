import Data
import Foundation
import Testing
@testable import Graph
@testable import Train

@Suite struct ZooTests {
    @Test(arguments: Zoo.names)
    func everyArchitectureIsValidAndRoundTrips(name: String) throws {
        let model = try #require(Zoo.model(name, seed: 3))
        let shapes = try model.graph.inferShapes()
        #expect(shapes.last?.count == model.labels.count)
        #expect(try ModelFile.decode(ModelFile.encode(model)) == model)
    }

    @Test func publishedSizes() throws {
        func totals(_ name: String) throws -> (params: Int, macs: Int) {
            let graph = Zoo.model(name)!.graph
            return (graph.nodes.reduce(0) { $0 + $1.parameterCount }, graph.macs(shapes: try graph.inferShapes()).reduce(0, +))
        }
        // MobileNet v2 1.0 at 224 with 1000 classes: Keras reports 3,538,984 parameters (BN
        // statistics included) and the paper about 300 M multiply-adds.
        let mbv2 = try totals("mbv2_100_224")
        #expect(mbv2.params == 3_538_984)
        #expect((295_000_000...305_000_000).contains(mbv2.macs))
        // fm_dsconv as specified: 3,795,840 MACs (see `minnow inspect`).
        #expect(try totals("fm_dsconv").macs == 3_795_840)
        // Every Fashion-MNIST model stays under 1 MB of float32 weights.
        for name in ["fm_dsconv", "fm_resnet", "fm_shuffle"] { #expect(try totals(name).params * 4 < 1_000_000) }
    }

    @Test func batchNormCalibrationNormalizesActivations() throws {
        var model = Zoo.model("fm_dsconv", seed: 5)!
        try model.calibrateBatchNormOnRandomImages(images: 16, seed: 5)
        // After calibration each BN output has about zero mean and unit variance per channel on
        // the same random images (the running statistics now equal the batch's).
        let executor = try FloatExecutor(model.graph)
        var random = SeededRandom(seed: 5)
        let shape = model.graph.inputShape
        let input = (0..<(16 * shape.count)).map { _ in
            (Float.random(in: 0...1, using: &random) - model.normalization.mean[0]) / model.normalization.std[0]
        }
        var checked = 0
        _ = executor.run(input, batch: 16) { index, values in
            guard case .batchNorm = model.graph.nodes[index].op else { return }
            let c = executor.shapes[index].channels
            let moments = batchMoments(values.baseAddress!, count: values.count, channels: c, gammaBeta: model.graph.nodes[index].parameters)
            #expect(moments[2].data.allSatisfy { abs($0) < 1e-3 })
            #expect(moments[3].data.allSatisfy { $0 < 1.01 })
            checked += 1
        }
        #expect(checked == 10)  // stem, 4 × (depthwise, pointwise), grouped
    }

    @Test func evaluationCountsAndNormalizes() throws {
        let model = Zoo.model("fm_dsconv")!
        // Pixel 0 → (0 − 0.2860) / 0.3530, pixel 255 → (1 − 0.2860) / 0.3530.
        let images = LabeledImages(width: 28, height: 28, channels: 1,
                                   pixels: [UInt8](repeating: 0, count: 784) + [UInt8](repeating: 255, count: 784),
                                   labels: [3, 4], classNames: FashionMNIST.classNames)
        let inputs = model.normalizedInputs(images)
        #expect(abs(inputs[0] - (-0.2860 / 0.3530)) < 1e-6 && abs(inputs[784] - (0.714 / 0.3530)) < 1e-5)
        // A 56×56 RGB folder image is fitted to the 28×28×1 input.
        let big = LabeledImages(width: 56, height: 56, channels: 3, pixels: .init(repeating: 255, count: 56 * 56 * 3),
                                labels: [0], classNames: ["x"])
        #expect(model.normalizedInputs(big).count == 784)
        let e = Evaluation(predictions: [1, 1, 2, 0], labels: [1, 2, 2, 0], classNames: ["a", "b", "c"])
        #expect(e.top1 == 75 && e.perClass.map(\.top1) == [100, 100, 50])
        #expect(argmaxRows([0, 3, 1, 5, 5, 4], n: 3) == [1, 0])
    }
}
