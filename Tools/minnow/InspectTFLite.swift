import Foundation
import Import
import TFLiteFile

/// `minnow inspect model.tflite`: operators (with whether Minnow runs them), tensors and
/// their quantization.
enum InspectTFLite {
    struct OperatorRow: Codable {
        var index: Int
        var op: String
        var supported: Bool
        var inputs: [Int]
        var outputs: [Int]
    }

    struct TensorRow: Codable {
        var index: Int
        var name: String
        var type: String
        var shape: [Int]
        var constant: Bool
        var scales: [Float]
        var zero_points: [Int]
        var quantized_dimension: Int?
    }

    struct Report: Codable {
        var file: String
        var description: String
        var subgraphs: Int
        var inputs: [Int]
        var outputs: [Int]
        var operators: [OperatorRow]
        var tensors: [TensorRow]
        /// nil when the importer accepts the model, else its refusal.
        var unsupported: String?
    }

    static func report(_ path: String, _ source: TFLiteSource) -> Report {
        let m = source.model
        let operators = m.operators.enumerated().map { i, op in
            let code = m.operatorCodes[op.opcodeIndex]
            return OperatorRow(index: i, op: code.custom.map { "custom '\($0)'" } ?? code.name,
                               supported: code.custom == nil && supportedBuiltinOperators.contains(code.builtin),
                               inputs: op.inputs, outputs: op.outputs)
        }
        let tensors = m.tensors.enumerated().map { i, t in
            TensorRow(index: i, name: t.name, type: t.type?.name ?? "type \(t.typeCode)", shape: t.shape, constant: t.data != nil,
                      scales: t.quantization?.scales ?? [], zero_points: t.quantization?.zeroPoints ?? [],
                      quantized_dimension: t.quantization.map(\.quantizedDimension))
        }
        var unsupported: String?
        do { _ = try importTFLite(m) } catch { unsupported = error.description }
        return Report(file: path, description: m.description, subgraphs: m.subgraphCount, inputs: m.inputs, outputs: m.outputs,
                      operators: operators, tensors: tensors, unsupported: unsupported)
    }

    static func print(_ r: Report) {
        Swift.print("\(r.file): TensorFlow Lite model, \(r.operators.count) operators, \(r.tensors.count) tensors, "
                    + "\(r.subgraphs) subgraph\(r.subgraphs == 1 ? "" : "s")\(r.description.isEmpty ? "" : " (\(r.description))")")
        Swift.print(table(header: ["#", "operator", "minnow", "inputs", "outputs"], rows: r.operators.map { o in
            ["\(o.index)", o.op, o.supported ? "yes" : "no", o.inputs.map(String.init).joined(separator: ","),
             o.outputs.map(String.init).joined(separator: ",")]
        }, rightAligned: [0]))
        Swift.print()
        Swift.print(table(header: ["tensor", "name", "type", "shape", "scale", "zero", "kind"], rows: r.tensors.map { t in
            let scale = t.scales.count == 1 ? String(format: "%.6g", t.scales[0]) : t.scales.isEmpty ? "" : "\(t.scales.count) per channel"
            return ["\(t.index)", String(t.name.prefix(40)), t.type, t.shape.map(String.init).joined(separator: "×"), scale,
                    t.zero_points.count == 1 ? "\(t.zero_points[0])" : "", t.constant ? "constant" : "activation"]
        }, rightAligned: [0, 4, 5]))
        Swift.print()
        Swift.print("inputs: tensors \(r.inputs.map(String.init).joined(separator: ", ")); outputs: tensors \(r.outputs.map(String.init).joined(separator: ", "))")
        Swift.print(r.unsupported.map { "minnow import refuses it: \($0)" } ?? "minnow import runs every operator")
    }
}
