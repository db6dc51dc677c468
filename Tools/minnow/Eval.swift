import ArgumentParser
import Foundation
import Graph
import Train

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Top-1 accuracy of a float model on a labeled image set, overall and per class.")

    @Argument(help: "A float model (model.bin).")
    var model: String

    @OptionGroup var data: DataOptions

    @Flag(help: "Print JSON: {images, float_top1, per_class, seconds}.")
    var json = false

    struct ClassResult: Codable {
        var label: String
        var images: Int
        var top1: Double
    }

    struct Report: Codable {
        var model: String
        var dataset: String
        var images: Int
        var float_top1: Double
        var per_class: [ClassResult]
        var seconds: Double
    }

    func run() throws {
        let m = try ModelFile.read(path: model)
        let shape = m.graph.inputShape
        let images = try data.load(width: shape.width, height: shape.height, channels: shape.channels)
        let executor = try FloatExecutor(m.graph)
        let outputs = executor.shapes[m.graph.output].count
        guard images.classNames.count <= outputs else {
            throw ValidationError("the dataset has \(images.classNames.count) classes, the model only \(outputs) outputs")
        }
        let bar = ProgressBar("float", total: images.count)
        let start = Date()
        let result = executor.evaluate(m, on: images, progress: bar.advance)
        bar.finish()
        let seconds = Date().timeIntervalSince(start)
        let perClass = result.perClass.enumerated().map { c, r in
            ClassResult(label: images.classNames[c], images: r.images, top1: r.top1)
        }
        let report = Report(model: model, dataset: data.dataset, images: images.count, float_top1: result.top1,
                            per_class: perClass, seconds: seconds)
        if json { return printJSON(report) }
        print("\(model) on \(data.dataset): \(images.count) images in \(String(format: "%.2f", seconds)) s")
        print(table(header: ["class", "images", "top-1 %"],
                    rows: perClass.map { [$0.label, "\($0.images)", String(format: "%.2f", $0.top1)] },
                    rightAligned: [1, 2]))
        print(String(format: "float top-1: %.2f %% (%d of %d)", result.top1, result.correct, result.images))
    }
}
