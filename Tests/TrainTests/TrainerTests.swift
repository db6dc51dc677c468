import Data
import Foundation
import Testing
@testable import Graph
@testable import Train

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

@Suite struct TrainerTests {
    static let sample: LabeledImages = try! SampleSet.read(path: "\(repositoryRoot)/Models/samples/fashion-mnist-test-1000.idx.gz")

    func options(epochs: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.batchSize = 64
        o.learningRate = 0.05
        o.warmupEpochs = 0
        return o
    }

    @Test func sameSeedSameWeights() throws {
        let data = Self.sample.prefix(256)
        func run() throws -> Model {
            let trainer = Trainer(model: Zoo.model("fm_dsconv", seed: 7)!, options: options(epochs: 1))
            _ = try trainer.trainEpoch(inputs: trainer.model.normalizedInputs(data), labels: data.labels)
            return trainer.model
        }
        #expect(try run() == run())
    }

    @Test func resumeFromCheckpointEqualsTrainingThrough() throws {
        let data = Self.sample.prefix(192)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-resume-\(getpid())").path
        defer { for s in [".ckpt-1.bin", ".ckpt.json"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let straight = Trainer(model: Zoo.model("fm_resnet", seed: 2)!, options: options(epochs: 2))
        let inputs = straight.model.normalizedInputs(data)
        for _ in 0..<2 { _ = try straight.trainEpoch(inputs: inputs, labels: data.labels) }
        let first = Trainer(model: Zoo.model("fm_resnet", seed: 2)!, options: options(epochs: 2))
        _ = try first.trainEpoch(inputs: inputs, labels: data.labels)
        try first.writeCheckpoint(path, architecture: "fm_resnet")
        let resumed = try Trainer.resume(path)
        #expect(resumed.epoch == 1)
        _ = try resumed.trainEpoch(inputs: inputs, labels: data.labels)
        #expect(resumed.model.graph == straight.model.graph)
    }

    /// The manifest is written last and names and hashes the model file: a model file that is not
    /// the one it names (a run killed between the two writes), a truncated manifest or a missing
    /// model file are refused with errors naming the file; nothing is silently retrained.
    @Test func checkpointIsOneUnit() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-ckpt-\(getpid())").path
        defer { for s in [".ckpt-0.bin", ".ckpt-1.bin", ".ckpt.json"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let trainer = Trainer(model: Zoo.model("fm_dsconv", seed: 3)!, options: options(epochs: 2))
        try trainer.writeCheckpoint(path, architecture: "fm_dsconv")
        #expect(try Trainer.manifest(path).architecture == "fm_dsconv")
        func refusal() -> String {
            do { _ = try Trainer.resume(path); return "" } catch { return "\(error)" }
        }
        // The model file changed after the manifest was written.
        let model = path + ".ckpt-0.bin", manifest = path + ".ckpt.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: model))
        var changed = original
        changed[changed.count - 1] ^= 1
        try changed.write(to: URL(fileURLWithPath: model))
        #expect(refusal().contains(model) && refusal().contains("CRC"))
        try original.write(to: URL(fileURLWithPath: model))
        #expect(refusal().isEmpty)
        // A truncated manifest.
        let json = try Data(contentsOf: URL(fileURLWithPath: manifest))
        try json.prefix(json.count / 2).write(to: URL(fileURLWithPath: manifest))
        #expect(refusal().contains(manifest))
        // The model file it names is gone.
        try json.write(to: URL(fileURLWithPath: manifest))
        try FileManager.default.removeItem(atPath: model)
        #expect(refusal().contains(model))
    }

    @Test func lossFallsAndAccuracyRises() throws {
        // 8 epochs of 512 images at a constant rate: 64 steps.
        let data = Self.sample.prefix(512)
        var o = options(epochs: 8)
        o.schedule = .constant
        let trainer = Trainer(model: Zoo.model("fm_dsconv", seed: 3)!, options: o)
        let inputs = trainer.model.normalizedInputs(data)
        var reports: [EpochReport] = []
        for _ in 0..<8 { reports.append(try trainer.trainEpoch(inputs: inputs, labels: data.labels)) }
        #expect(reports.last!.loss < reports.first!.loss * 0.7, "\(reports.map(\.loss))")
        let accuracy = try FloatExecutor(trainer.model.graph).evaluate(trainer.model, on: data).top1
        #expect(accuracy > 60, "accuracy \(accuracy) after 64 steps on 512 images")
    }

    @Test func optimizersDescendAQuadratic() {
        // f(w) = Σ (w − 3)², gradient 2(w − 3): every optimizer moves w toward 3.
        for kind in OptimizerKind.allCases {
            var optimizer = Optimizer(kind: kind, weightDecay: 0)
            var w: [[Float]] = [[0, 10]]
            for _ in 0..<1000 { optimizer.step(&w, gradients: [w[0].map { 2 * ($0 - 3) }], decays: [true], lr: 0.05) }
            #expect(w[0].allSatisfy { abs($0 - 3) < 0.05 }, "\(kind): \(w)")
        }
        // Decoupled decay (AdamW) shrinks a weight whose gradient is 0; Adam's L2 term does too.
        var adamw = Optimizer(kind: .adamw, weightDecay: 0.1)
        var w: [[Float]] = [[1]]
        adamw.step(&w, gradients: [[0]], decays: [true], lr: 0.1)
        #expect(abs(w[0][0] - 0.99) < 1e-6)  // 1 − 0.1 · 0.1 · 1
    }

    @Test func schedules() {
        // Cosine halfway (after warm-up) is half the base rate; warm-up rises linearly.
        #expect(abs(Schedule.cosine.rate(base: 0.1, step: 60, total: 110, warmup: 10) - 0.05) < 1e-6)
        #expect(abs(Schedule.cosine.rate(base: 0.1, step: 4, total: 110, warmup: 10) - 0.05) < 1e-6)
        #expect(abs(Schedule.step.rate(base: 0.1, step: 80, total: 100, warmup: 0) - 0.001) < 1e-7)
        #expect(abs(Schedule.step.rate(base: 0.1, step: 60, total: 100, warmup: 0) - 0.01) < 1e-7)
    }

    @Test func augmentationShiftsAndFlips() {
        // A 3×3 image 1…9 padded by 1: every output is either a source pixel or the fill value,
        // and over many draws both shifts and flips occur.
        let shape = Shape([3, 3, 1])
        let original: [Float] = (1...9).map(Float.init)
        var random = SeededRandom(seed: 1)
        var seen = Set<[Float]>()
        for _ in 0..<200 {
            var image = original
            Augmentation(pad: 1, flip: true).apply(&image, shape: shape, fill: [0], random: &random)
            #expect(image.allSatisfy { $0 == 0 || original.contains($0) })
            seen.insert(image)
        }
        #expect(seen.contains([3, 2, 1, 6, 5, 4, 9, 8, 7]))  // mirrored, not shifted
        #expect(seen.contains([0, 0, 0, 1, 2, 3, 4, 5, 6]))  // shifted down by one
        #expect(seen.count > 10)
        var unchanged = original
        Augmentation(pad: 0, flip: false).apply(&unchanged, shape: shape, fill: [0], random: &random)
        #expect(unchanged == original)
    }
}
