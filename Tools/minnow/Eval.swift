import ModelIO
import ArgumentParser
import Foundation
import Graph
import Quantize
import Q8Build
import Train

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Top-1 accuracy of a float model, and of its int8 conversion beside it: the drop and the agreement.")

    @Argument(help: "A float model (model.bin).")
    var model: String

    @Argument(help: "Its int8 conversion (model.q8), to compare.")
    var int8: String?

    @OptionGroup var data: DataOptions

    @OptionGroup var normalization: NormalizationOptions

    @Flag(help: "Print JSON: images, float_top1, per_class, and with a model.q8 int8_top1, drop_pp, agreement.")
    var json = false

    struct ClassResult: Codable {
        var label: String
        var images: Int
        var top1: Double
        var int8_top1: Double?
    }

    struct Report: Codable {
        var model: String
        var int8_model: String?
        var dataset: String
        var images: Int
        var float_top1: Double
        var int8_top1: Double?
        /// Float top-1 minus int8 top-1, in percentage points.
        var drop_pp: Double?
        /// Percent of images where int8 and float pick the same class.
        var agreement: Double?
        var per_class: [ClassResult]
        var seconds: Double
    }

    func run() throws {
        var m = try ModelFile.read(path: model)
        try normalization.apply(to: &m)
        let shape = m.graph.inputShape
        let executor = try FloatExecutor(m.graph)
        let outputs = executor.shapes[m.graph.output].count
        var images = try data.load(width: shape.width, height: shape.height, channels: shape.channels)
        if data.isFolder {
            do { images = try images.matched(toLabels: m.labels, outputs: outputs) } catch { throw ValidationFailure("\(data.dataset): \(error)") }
        }
        guard images.classNames.count <= outputs else {
            throw ValidationError("the dataset has \(images.classNames.count) classes, the model only \(outputs) outputs")
        }
        let start = Date()
        let inputs = m.normalizedInputs(images)
        let floatBar = ProgressBar("float", total: images.count)
        let float = Evaluation(predictions: argmaxRows(executor.predict(inputs, count: images.count, progress: floatBar.advance), n: outputs),
                               labels: images.labels, classNames: images.classNames)
        floatBar.finish()
        var int8Result: Evaluation?
        if let int8 {
            let file = try Q8File(path: int8)
            let q8Input = file.model.tensor(file.model.inputTensor(0))
            guard file.model.inputCount == 1, q8Input.shapeList == [shape.height, shape.width, shape.channels],
                  file.model.tensor(file.model.outputTensor(0)).count == outputs else {
                throw ValidationFailure("\(int8): its input \(q8Input.shapeList) and \(file.model.tensor(file.model.outputTensor(0)).count) outputs "
                                        + "do not match \(model)'s input [\(shape.height), \(shape.width), \(shape.channels)] and \(outputs) outputs")
            }
            let bar = ProgressBar("int8", total: images.count)
            let predictions = try withExtendedLifetime(file) {  // the model view reads file's buffer
                try int8Predictions(file.model, inputs: inputs, count: images.count, progress: bar.advance)
            }
            int8Result = Evaluation(predictions: predictions, labels: images.labels, classNames: images.classNames)
            bar.finish()
        }
        let seconds = Date().timeIntervalSince(start)
        let agreement = int8Result.map { r in
            100 * Double(zip(r.predictions, float.predictions).filter { $0 == $1 }.count) / Double(max(images.count, 1))
        }
        let perClass = float.perClass.enumerated().map { c, r in
            ClassResult(label: images.classNames[c], images: r.images, top1: r.top1, int8_top1: int8Result?.perClass[c].top1)
        }
        let report = Report(model: model, int8_model: int8, dataset: data.dataset, images: images.count, float_top1: float.top1,
                            int8_top1: int8Result?.top1, drop_pp: int8Result.map { float.top1 - $0.top1 }, agreement: agreement,
                            per_class: perClass, seconds: seconds)
        if json { return printJSON(report) }
        print("\(model) on \(data.dataset): \(images.count) images in \(String(format: "%.2f", seconds)) s")
        let header = int8 == nil ? ["class", "images", "top-1 %"] : ["class", "images", "float %", "int8 %"]
        print(table(header: header, rows: perClass.map { c in
            [c.label, "\(c.images)", String(format: "%.2f", c.top1)] + (c.int8_top1.map { [String(format: "%.2f", $0)] } ?? [])
        }, rightAligned: [1, 2, 3]))
        print(String(format: "float top-1: %.2f %% (%d of %d)", float.top1, float.correct, float.images))
        if let r = int8Result, let agreement {
            print(String(format: "int8 top-1:  %.2f %% (%d of %d)", r.top1, r.correct, r.images))
            print(String(format: "drop: %.2f percentage points; agreement: %.2f %%", float.top1 - r.top1, agreement))
        }
    }
}
