import ModelIO
import Foundation
import Runtime

/// `minnow inspect model.q8`: ops, tensors with quantization, and the arena plan.
enum InspectQ8 {
    struct OpRow: Codable {
        var index: Int
        var op: String
        var inputs: [Int?]
        var output: Int
        var scratch: Int?
        var parameters: [Int32]
        /// The words' names, from the op's file (`kernel_h`, `stride_w`, …).
        var parameter_names: [String]
    }

    struct TensorRow: Codable {
        var index: Int
        var type: String
        var storage: String
        var shape: [Int]
        var scale: Float?
        var zero_point: Int32?
        var offset: Int
        var bytes: Int
        /// First and last op during which an arena tensor holds its value.
        var live: [Int]?
    }

    struct Report: Codable {
        var file: String
        var arena_bytes: Int
        var arena_lower_bound: Int
        var inputs: [Int]
        var outputs: [Int]
        var labels: [String]
        var ops: [OpRow]
        var tensors: [TensorRow]
        var weight_bytes: Int
    }

    static func report(_ file: Q8File) -> Report {
        let m = file.model
        var first = [Int: Int](), last = [Int: Int]()
        let ops = (0..<m.opCount).map { i -> OpRow in
            let o = m.op(i)
            let inputs = (0..<o.inputCount).map { m.input($0, of: o) }
            for case let t? in inputs + [o.output, o.scratch] where m.tensor(t).storage == .arena {
                first[t] = min(first[t] ?? i, i)
                last[t] = max(last[t] ?? i, i)
            }
            return OpRow(index: i, op: o.code.name.description, inputs: inputs, output: o.output, scratch: o.scratch,
                         parameters: (0..<o.parameterCount).map { m.parameter($0, of: o) }, parameter_names: o.code.wordNames)
        }
        for k in 0..<m.inputCount { first[m.inputTensor(k)] = -1 }
        for k in 0..<m.outputCount { last[m.outputTensor(k)] = m.opCount }
        let tensors = (0..<m.tensorCount).map { i -> TensorRow in
            let t = m.tensor(i)
            let isInt8Arena = t.type == .int8 && t.storage == .arena
            // "stream": an arena tensor holding only the rows its consumer reads (RowStream).
            let storage = t.storage == .constant ? "constant" : t.layout == Q8WeightLayout.rowStream.rawValue ? "stream" : "arena"
            return TensorRow(index: i, type: t.type == .int8 ? "int8" : "int32", storage: storage,
                             shape: t.shapeList, scale: isInt8Arena ? t.scale : nil, zero_point: isInt8Arena ? t.zeroPoint : nil,
                             offset: t.offset, bytes: t.byteSize,
                             live: t.storage == .arena ? [first[i] ?? -1, last[i] ?? -1] : nil)
        }
        return Report(file: file.path, arena_bytes: m.arenaBytes, arena_lower_bound: m.arenaLowerBound,
                      inputs: (0..<m.inputCount).map(m.inputTensor), outputs: (0..<m.outputCount).map(m.outputTensor),
                      labels: file.model.labels, ops: ops, tensors: tensors,
                      weight_bytes: tensors.filter { $0.storage == "constant" }.reduce(0) { $0 + $1.bytes })
    }

    static func print(_ r: Report) {
        func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: "×") }
        Swift.print("\(r.file): int8 model, \(r.ops.count) ops, \(r.tensors.count) tensors, \(r.labels.count) labels")
        Swift.print(table(header: ["#", "op", "inputs", "output", "parameters"], rows: r.ops.map { o in
            ["\(o.index)", o.op, o.inputs.map { $0.map(String.init) ?? "-" }.joined(separator: ","),
             "\(o.output)" + (o.scratch.map { " (scratch \($0))" } ?? ""),
             zip(o.parameter_names, o.parameters).map { "\($0)=\($1)" }.joined(separator: " ")]
        }, rightAligned: [0]))
        Swift.print()
        Swift.print(table(header: ["tensor", "type", "storage", "shape", "scale", "zero", "offset", "bytes", "live ops"],
                          rows: r.tensors.map { t in
            ["\(t.index)", t.type, t.storage, shape(t.shape), t.scale.map { String(format: "%.6g", $0) } ?? "",
             t.zero_point.map(String.init) ?? "", grouped(t.offset), grouped(t.bytes),
             t.live.map { "\($0[0] < 0 ? "in" : String($0[0]))–\($0[1] >= r.ops.count ? "out" : String($0[1]))" } ?? ""]
        }, rightAligned: [0, 4, 5, 6, 7]))
        Swift.print()
        Swift.print(arenaLine(activations: r.arena_bytes - r.ops.count * Q8Format.preparedOpBytes, ops: r.ops.count)
                    + "; the largest live set, a lower bound for the activations: \(grouped(r.arena_lower_bound)) bytes")
        Swift.print("weights and constants: \(grouped(r.weight_bytes)) bytes")
    }
}
