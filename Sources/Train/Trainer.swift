import AtomicWrite
import Data
import Foundation
import Graph
import Runtime

/// Everything that decides a training run; recorded in the model and the checkpoint.
public struct TrainingOptions: Codable, Sendable {
    public var epochs = 20
    public var batchSize = 128
    public var learningRate: Float = 0.05
    public var optimizer = OptimizerKind.nesterov
    public var weightDecay: Float = 5e-4
    public var schedule = Schedule.cosine
    public var warmupEpochs = 1
    public var labelSmoothing: Float = 0.1
    public var augmentation = Augmentation(pad: 2, flip: true)
    public var seed: UInt64 = 1
    /// Each batch is split into this many shards computed in parallel; batch-norm statistics are
    /// per shard, as in multi-device training.
    public var shards = 2
    /// Momentum of the batch-norm running averages: running = m · running + (1 − m) · batch.
    public var batchNormMomentum: Float = 0.9

    public init() {}
}

/// One epoch's figures.
public struct EpochReport: Codable, Sendable {
    public var epoch: Int
    public var loss: Double
    public var trainAccuracy: Double
    public var testAccuracy: Double?
    public var imagesPerSecond: Double
    public var seconds: Double
}

/// Trains a model in place: data-parallel mini-batch gradient descent on all cores.
public final class Trainer {
    public private(set) var model: Model
    public let options: TrainingOptions
    public private(set) var optimizer: Optimizer
    /// Completed epochs.
    public private(set) var epoch = 0
    public private(set) var history: [EpochReport] = []

    public init(model: Model, options: TrainingOptions) {
        self.model = model
        self.options = options
        optimizer = Optimizer(kind: options.optimizer, weightDecay: options.weightDecay)
    }

    /// Trainable tensors as (node, parameter index, decays) in a fixed order.
    var trainable: [(node: Int, parameter: Int, decays: Bool)] {
        model.graph.nodes.enumerated().flatMap { index, node -> [(Int, Int, Bool)] in
            switch node.op {
            case .conv2d, .dense, .transposedConv2d: return node.parameters.indices.map { (index, $0, $0 == 0) }
            case .batchNorm: return [(index, 0, false), (index, 1, false)]
            default: return []
            }
        }
    }

    /// Runs one epoch over `train` (normalized inputs precomputed by `normalizedInputs`) and
    /// reports progress after every batch as (images done, mean loss, accuracy).
    public func trainEpoch(inputs: [Float], labels: [Int], progress: ((Int, Double, Double) -> Void)? = nil) throws -> EpochReport {
        let count = labels.count, shape = model.graph.inputShape, perImage = shape.count
        let stepsPerEpoch = (count + options.batchSize - 1) / options.batchSize
        let totalSteps = stepsPerEpoch * options.epochs, warmup = stepsPerEpoch * options.warmupEpochs
        var random = SeededRandom(seed: options.seed &+ UInt64(epoch) &* 1_000_003)
        var order = Array(0..<count)
        order.shuffle(using: &random)
        let fill = (0..<shape.channels).map { -model.normalization.mean[$0] / model.normalization.std[$0] }
        let start = Date()
        var lossSum = 0.0, correct = 0, seen = 0
        let slots = trainable
        for step in 0..<stepsPerEpoch {
            let batchIndices = Array(order[(step * options.batchSize)..<min((step + 1) * options.batchSize, count)])
            let batch = batchIndices.count
            var x = [Float](repeating: 0, count: batch * perImage)
            for (row, i) in batchIndices.enumerated() {
                var image = Array(inputs[(i * perImage)..<((i + 1) * perImage)])
                options.augmentation.apply(&image, shape: shape, fill: fill, random: &random)
                x.replaceSubrange((row * perImage)..<((row + 1) * perImage), with: image)
            }
            let y = batchIndices.map { labels[$0] }
            let executor = try FloatExecutor(model.graph)
            let shards = min(options.shards, batch)
            var results = [StepResult?](repeating: nil, count: shards)
            let globalStep = epoch * stepsPerEpoch + step
            let (images, smoothing, seed) = (x, options.labelSmoothing, options.seed)
            results.withUnsafeMutableBufferPointer { buffer in
                let out = SendablePointer(buffer.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: shards) { s in
                    let lo = s * batch / shards, hi = (s + 1) * batch / shards
                    out.pointer![s] = backpropagate(executor, input: Array(images[(lo * perImage)..<(hi * perImage)]), labels: y[lo..<hi],
                                                   smoothing: smoothing, scale: 1 / Float(batch),
                                                   dropoutSeed: seed &+ UInt64(globalStep) &* 31 &+ UInt64(s))
                }
            }
            // Sum the shards' gradients and update.
            var parameters = slots.map { model.graph.nodes[$0.node].parameters[$0.parameter].data }
            var gradients = slots.map { [Float](repeating: 0, count: model.graph.nodes[$0.node].parameters[$0.parameter].count) }
            for case let r? in results {
                for (k, slot) in slots.enumerated() {
                    let g = r.gradients[slot.node][slot.parameter]
                    for i in g.indices { gradients[k][i] += g[i] }
                }
                lossSum += r.loss
                correct += r.correct
            }
            optimizer.step(&parameters, gradients: gradients, decays: slots.map(\.decays),
                           lr: options.schedule.rate(base: options.learningRate, step: globalStep, total: totalSteps, warmup: warmup))
            for (k, slot) in slots.enumerated() { model.graph.nodes[slot.node].parameters[slot.parameter].data = parameters[k] }
            updateRunningStatistics(results.compactMap { $0 }, shapes: executor.shapes, imagesPerShard: batch / shards)
            seen += batch
            progress?(seen, lossSum / Double(seen), 100 * Double(correct) / Double(seen))
        }
        epoch += 1
        let seconds = Date().timeIntervalSince(start)
        let report = EpochReport(epoch: epoch, loss: lossSum / Double(count), trainAccuracy: 100 * Double(correct) / Double(count),
                                 testAccuracy: nil, imagesPerSecond: Double(count) / seconds, seconds: seconds)
        history.append(report)
        return report
    }

    /// Folds the shards' batch statistics into each batch norm's running mean and variance
    /// (the variance made unbiased by n / (n − 1), n the values per channel in a shard).
    func updateRunningStatistics(_ results: [StepResult], shapes: [Shape], imagesPerShard: Int) {
        let m = options.batchNormMomentum
        for (node, _) in results.first?.moments ?? [:] {
            let c = model.graph.nodes[node].parameters[2].count
            var mean = [Float](repeating: 0, count: c), variance = [Float](repeating: 0, count: c)
            for r in results {
                for i in 0..<c {
                    mean[i] += r.moments[node]!.mean[i] / Float(results.count)
                    variance[i] += r.moments[node]!.variance[i] / Float(results.count)
                }
            }
            let rows = Float(max(imagesPerShard * shapes[node].count / c, 2))
            for i in 0..<c {
                model.graph.nodes[node].parameters[2].data[i] = m * model.graph.nodes[node].parameters[2].data[i] + (1 - m) * mean[i]
                model.graph.nodes[node].parameters[3].data[i] = m * model.graph.nodes[node].parameters[3].data[i]
                    + (1 - m) * variance[i] * rows / (rows - 1)
            }
        }
    }

    /// Records the test accuracy of the last epoch.
    public func recordTestAccuracy(_ accuracy: Double) {
        history[history.count - 1].testAccuracy = accuracy
    }

    // MARK: Checkpoints

    /// The checkpoint's manifest, `<path>.ckpt.json`, written last: the training state and the
    /// name and CRC-32 of the model file it covers, so that the two are one unit.
    public struct Checkpoint: Codable {
        public var epoch: Int
        public var options: TrainingOptions
        var optimizer: Optimizer
        var history: [EpochReport]
        /// The architecture trained (nil in checkpoints written before it was recorded).
        public var architecture: String?
        /// The model file, beside the manifest: `<name>.ckpt-<epoch>.bin`.
        var modelFile: String?
        var modelCRC32: UInt32?
    }

    /// Writes the model to `<path>.ckpt-<epoch>.bin`, then the manifest `<path>.ckpt.json`
    /// naming it with its CRC-32 (each atomically), then removes the previous epoch's model file.
    /// A run killed anywhere leaves a manifest that names a complete model file.
    public func writeCheckpoint(_ path: String, architecture: String) throws {
        let url = URL(fileURLWithPath: path)
        let modelName = "\(url.lastPathComponent).ckpt-\(epoch).bin"
        let modelPath = url.deletingLastPathComponent().appendingPathComponent(modelName).path
        let bytes = ModelFile.encode(model)
        try writeAtomically(Foundation.Data(bytes), to: modelPath)
        let previous = try? Self.manifest(path)
        let state = Checkpoint(epoch: epoch, options: options, optimizer: optimizer, history: history, architecture: architecture,
                               modelFile: modelName, modelCRC32: bytes.withUnsafeBytes { crc32(of: $0) })
        try writeAtomically(JSONEncoder().encode(state), to: path + ".ckpt.json")
        if let old = previous?.modelFile, old != modelName {
            unlink(url.deletingLastPathComponent().appendingPathComponent(old).path)
        }
        unlink(path + ".ckpt.bin")  // the single-file layout of earlier versions
    }

    /// The manifest of the checkpoint of `path`, read and decoded; errors name the file.
    public static func manifest(_ path: String) throws -> Checkpoint {
        let file = path + ".ckpt.json"
        guard let data = FileManager.default.contents(atPath: file) else { throw DataError("\(file): cannot read the checkpoint") }
        do {
            return try JSONDecoder().decode(Checkpoint.self, from: data)
        } catch {
            throw DataError("\(file): not a complete checkpoint manifest (truncated or corrupt)")
        }
    }

    /// A trainer restored from `writeCheckpoint(path, …)`, continuing with its recorded options;
    /// the model file must be the one the manifest names, with its CRC-32.
    public static func resume(_ path: String) throws -> Trainer {
        let state = try manifest(path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let modelPath = state.modelFile.map { directory.appendingPathComponent($0).path } ?? path + ".ckpt.bin"
        if let crc = state.modelCRC32 {
            guard let bytes = FileManager.default.contents(atPath: modelPath) else {
                throw DataError("\(modelPath): missing, though the checkpoint manifest \(path).ckpt.json names it")
            }
            guard bytes.withUnsafeBytes({ crc32(of: $0) }) == crc else {
                throw DataError("\(modelPath): does not match its checkpoint manifest \(path).ckpt.json (CRC-32 differs)")
            }
        }
        let model = try ModelFile.read(path: modelPath)
        let trainer = Trainer(model: model, options: state.options)
        trainer.optimizer = state.optimizer
        trainer.epoch = state.epoch
        trainer.history = state.history
        return trainer
    }
}
