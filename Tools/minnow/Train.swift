import ModelIO
import ArgumentParser
import Data
import Foundation
import Graph
import Train

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a zoo architecture on Fashion-MNIST (or a folder of PNGs) and write model.bin.",
        discussion: """
            Architectures: \(Zoo.names.joined(separator: ", ")). With --init-only the architecture is written \
            He-initialized, with batch-norm statistics from random images, untrained. Each epoch ends with an \
            evaluation on the test set and a checkpoint (<out>.ckpt.bin and <out>.ckpt.json); --resume continues \
            from it with the options it recorded.
            """)

    @Argument(help: "Architecture name.")
    var architecture: String

    @Option(name: .customLong("epochs"), help: "Epochs (default 20; with --resume, the checkpoint's).") var epochsOption: Int?
    var epochs: Int { epochsOption ?? 20 }
    @Option(help: "Batch size.") var batch = 128
    @Option(help: "Base learning rate.") var lr: Float = 0.05
    @Option(help: "Optimizer: \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).") var optimizer = "nesterov"
    @Option(help: "Weight decay (conv and dense weights).") var weightDecay: Float = 5e-4
    @Option(help: "Learning-rate schedule: \(Schedule.allCases.map(\.rawValue).joined(separator: ", ")).") var schedule = "cosine"
    @Option(help: "Warm-up epochs.") var warmup = 1
    @Option(help: "Label smoothing.") var labelSmoothing: Float = 0.1
    @Flag(help: "No random crops or flips.") var noAugment = false
    @Option(help: "Random seed (same seed, same machine: same weights).") var seed: UInt64 = 1
    @Option(help: "'fashion-mnist', or a folder with one subfolder of PNGs per class.") var dataset = "fashion-mnist"
    @Option(help: "Directory holding Fashion-MNIST.") var data: String?
    @Option(help: "Train on the first N training images only.") var limit: Int?
    @Option(help: "Hold out N shuffled training images as the test set (default for folders: 10 %).") var validation: Int?
    @Flag(help: "Write the initialized, untrained model.") var initOnly = false
    @Flag(help: "Continue from <out>.ckpt.bin / .ckpt.json.") var resume = false
    @Option(help: "Where to write the model.") var out = "model.bin"

    func validate() throws {
        guard Zoo.names.contains(architecture) else {
            throw ValidationError("unknown architecture '\(architecture)'; choose one of \(Zoo.names.joined(separator: ", "))")
        }
        guard OptimizerKind(rawValue: optimizer) != nil else { throw ValidationError("unknown optimizer '\(optimizer)'") }
        guard Schedule(rawValue: schedule) != nil else { throw ValidationError("unknown schedule '\(schedule)'") }
        guard epochs >= 1, batch >= 1, lr > 0 else { throw ValidationError("--epochs, --batch and --lr must be positive") }
    }

    func run() throws {
        try checkOutputs([("--out", out)], reads: [])
        if initOnly {
            var model = Zoo.model(architecture, seed: seed)!
            try model.calibrateBatchNormOnRandomImages(seed: seed)
            model.notes = "minnow train \(architecture) --init-only --seed \(seed): untrained, He-initialized, batch-norm statistics from 32 random images"
            try ModelFile.write(model, to: out)
            print("wrote \(out): \(architecture), untrained (initialized only), \(grouped(model.graph.nodes.reduce(0) { $0 + $1.parameterCount })) parameters")
            return
        }
        var (train, test) = try loadData()
        if let limit { train = train.prefix(limit) }
        let trainer: Trainer
        if resume {
            let recorded = try Trainer.manifest(out)
            if let arch = recorded.architecture, arch != architecture {
                throw ValidationFailure("\(out).ckpt.json: the checkpoint trains \(arch), not \(architecture)")
            }
            if let epochsOption, epochsOption != recorded.options.epochs {
                throw ValidationFailure("\(out).ckpt.json: the checkpoint runs \(recorded.options.epochs) epochs; --resume continues with "
                                        + "its recorded options (drop --epochs or give --epochs \(recorded.options.epochs))")
            }
            trainer = try Trainer.resume(out)
            say("resuming \(out) after epoch \(trainer.epoch) of \(trainer.options.epochs)")
        } else {
            var model = Zoo.model(architecture, seed: seed, classes: train.classNames.count)!
            model.labels = train.classNames
            var options = TrainingOptions()
            options.epochs = epochs
            options.batchSize = batch
            options.learningRate = lr
            options.optimizer = OptimizerKind(rawValue: optimizer)!
            options.weightDecay = weightDecay
            options.schedule = Schedule(rawValue: schedule)!
            options.warmupEpochs = warmup
            options.labelSmoothing = labelSmoothing
            options.augmentation = Augmentation(pad: noAugment ? 0 : 2, flip: !noAugment)
            options.seed = seed
            trainer = Trainer(model: model, options: options)
        }
        let inputs = trainer.model.normalizedInputs(train)
        say("training \(architecture) on \(train.count) images (\(dataset)), testing on \(test.count); "
              + "\(trainer.options.epochs) epochs, batch \(trainer.options.batchSize), \(trainer.options.optimizer.rawValue) lr \(trainer.options.learningRate)")
        while trainer.epoch < trainer.options.epochs {
            let e = trainer.epoch + 1
            let bar = ProgressBar("epoch \(e)/\(trainer.options.epochs)", total: train.count)
            let start = Date()
            let report = try trainer.trainEpoch(inputs: inputs, labels: train.labels) { done, loss, accuracy in
                let rate = Double(done) / max(Date().timeIntervalSince(start), 1e-6)
                bar.show(done, String(format: "loss %.3f acc %.2f %% %.0f img/s ETA %.0f s", loss, accuracy, rate,
                                      Double(train.count - done) / rate))
            }
            bar.finish()
            let testAccuracy = try FloatExecutor(trainer.model.graph).evaluate(trainer.model, on: test).top1
            trainer.recordTestAccuracy(testAccuracy)
            try trainer.writeCheckpoint(out, architecture: architecture)
            say(String(format: "epoch %d/%d: loss %.4f, train %.2f %%, test %.2f %%, %.0f images/s, %.1f s", e, trainer.options.epochs,
                         report.loss, report.trainAccuracy, testAccuracy, report.imagesPerSecond, report.seconds))
        }
        var model = trainer.model
        let last = trainer.history.last!
        model.notes = "minnow train \(architecture) --epochs \(trainer.options.epochs) --batch \(trainer.options.batchSize) --lr \(trainer.options.learningRate) "
            + "--optimizer \(trainer.options.optimizer.rawValue) --weight-decay \(trainer.options.weightDecay) --schedule \(trainer.options.schedule.rawValue) "
            + "--warmup \(trainer.options.warmupEpochs) --label-smoothing \(trainer.options.labelSmoothing)"
            + (trainer.options.augmentation.pad == 0 ? " --no-augment" : "") + " --seed \(trainer.options.seed) (dataset \(dataset), "
            + "\(train.count) training images): test top-1 \(String(format: "%.2f", last.testAccuracy ?? 0)) % after \(trainer.epoch) epochs"
        try ModelFile.write(model, to: out)
        print("wrote \(out): test top-1 \(String(format: "%.2f", last.testAccuracy ?? 0)) %")
    }

    /// The training set and the test set: Fashion-MNIST's two splits, or a folder split by --validation.
    func loadData() throws -> (LabeledImages, LabeledImages) {
        let shape = Zoo.model(architecture)!.graph.inputShape
        var train: LabeledImages, test: LabeledImages
        if dataset == "fashion-mnist" {
            train = try FashionMNIST.load(.train, directory: data)
            test = try FashionMNIST.load(.test, directory: data)
        } else {
            let all = try ImageFolder.load(dataset, width: shape.width, height: shape.height, channels: shape.channels)
            (train, test) = all.split(holdingOut: validation ?? max(1, all.count / 10), seed: seed)
            return (train, test)
        }
        if let validation { (train, test) = train.split(holdingOut: validation, seed: seed) }
        return (train, test)
    }
}
