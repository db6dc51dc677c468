import ModelIO
import ArgumentParser
import Foundation
import Graph

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a model: a float model's graph (ops, shapes, parameters, MACs), an int8 model's ops, tensors and arena plan, or a .tflite model's operators (and which Minnow runs), tensors and quantization.")

    @Argument(help: "A float model (model.bin), an int8 model (model.q8) or a TensorFlow Lite model (.tflite).")
    var model: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Codable {
        var index: Int
        var name: String
        var op: String
        var attributes: String
        var inputs: [Int]
        var output_shape: [Int]
        var params: Int
        var macs: Int
    }

    struct Report: Codable {
        var file: String
        var input_shape: [Int]
        var labels: [String]
        var normalization_mean: [Float]
        var normalization_std: [Float]
        var notes: String
        var nodes: [Row]
        var total_params: Int
        var total_macs: Int
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationFailure("\(model): is a directory, not a model file")
        }
        if TFLiteSource.isTFLite(model) {
            let report = InspectTFLite.report(model, try TFLiteSource(path: model))
            return json ? printJSON(report) : InspectTFLite.print(report)
        }
        if Q8File.isQ8(model) {
            let report = InspectQ8.report(try Q8File(path: model))
            return json ? printJSON(report) : InspectQ8.print(report)
        }
        let m = try ModelFile.read(path: model)
        let shapes = try m.graph.inferShapes()
        let macs = m.graph.macs(shapes: shapes)
        let rows = m.graph.nodes.enumerated().map { i, node in
            Row(index: i, name: node.name, op: node.op.name, attributes: node.op.attributeSummary, inputs: node.inputs,
                output_shape: shapes[i].dims, params: node.parameterCount, macs: macs[i])
        }
        let report = Report(file: model, input_shape: m.graph.inputShape.dims, labels: m.labels,
                            normalization_mean: m.normalization.mean, normalization_std: m.normalization.std,
                            notes: m.notes, nodes: rows, total_params: rows.reduce(0) { $0 + $1.params },
                            total_macs: macs.reduce(0, +))
        if json { return printJSON(report) }
        print("\(model): float model, input \(m.graph.inputShape), \(m.labels.count) classes")
        if !m.notes.isEmpty { print("notes: \(m.notes)") }
        print(table(header: ["#", "name", "op", "attributes", "inputs", "output", "params", "MACs"],
                    rows: rows.map { r in
                        ["\(r.index)", r.name, r.op, r.attributes, r.inputs.map(String.init).joined(separator: ","),
                         Shape(r.output_shape).description, grouped(r.params), grouped(r.macs)]
                    },
                    rightAligned: [0, 6, 7]))
        print("total: \(grouped(report.total_params)) parameters, \(grouped(report.total_macs)) MACs per image")
    }
}
