import Foundation
import Graph
import ONNXFile
import SwiftProtobuf

/// Reads a float ONNX model (opset 6 to 21: PyTorch, tf2onnx and Paddle2ONNX exports) into
/// Minnow's float graph. NCHW activations are held NHWC (`LaidOutTensor`: transposes relabel,
/// convolution weights are transposed to OHWI); shape subgraphs over constants are folded;
/// batch norms and per-channel scales and offsets fold into the convolution or dense layer
/// before them. `inputShape` fixes dynamic dims (and must agree with static ones); the model's
/// input and output layouts are recorded so `minnow run` takes and gives tensors as
/// onnxruntime does. Anything the graph cannot express is refused naming the node.
///
/// Example: a PyTorch MobileNet exported at `[1, 3, 224, 224]` becomes a graph with input
/// `224×224×3`, `inputLayout` dims `[1, 3, 224, 224]`, order `[0, 2, 3, 1]`.
public func importONNX(_ bytes: [UInt8], inputShape: [Int]? = nil) throws(FloatImportError) -> Model {
    let proto: Onnx_ModelProto
    do {
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = 64
        proto = try Onnx_ModelProto(serializedBytes: bytes, options: options)
    } catch {
        throw FloatImportError("not a readable ONNX model (\(error))")
    }
    var importer = try ONNXImporter(proto, inputShape: inputShape)
    return try importer.run()
}

/// A value of the ONNX graph while importing.
enum ONNXValue {
    case constant(ConstantTensor)
    case tensor(LaidOutTensor)
    /// `HardSigmoid(x)` with alpha 1/6, beta 1/2, kept until a `Mul` by x makes it hard-swish
    /// (any other reader makes it a hard-sigmoid node first).
    case hardSigmoid(of: LaidOutTensor)
}

struct ONNXImporter {
    let graph: Onnx_GraphProto
    let producer: String
    let opset: Int
    var builder: GraphBuilder
    var values: [String: ONNXValue] = [:]
    /// How many nodes (and graph outputs) read each value: a single reader lets a scale fold.
    var readers: [String: Int] = [:]
    /// Values a convolution or dense layer wrote (or one with a scale already folded in): a
    /// per-channel scale or offset of such a value with one reader folds into its weights.
    var foldTargets: Set<String> = []
    /// The graph input: its name, dims (batch 1) and memory order.
    let input: (name: String, dims: [Int], order: [Int])

    init(_ model: Onnx_ModelProto, inputShape: [Int]?) throws(FloatImportError) {
        graph = model.graph
        producer = [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        var opset = 0
        for o in model.opsetImport where o.domain.isEmpty || o.domain == "ai.onnx" { opset = Int(clamping: o.version) }
        guard (6...21).contains(opset) else {
            throw FloatImportError("opset \(opset == 0 ? "(none)" : String(opset)) of the default domain is not supported (6 to 21 are)")
        }
        self.opset = opset
        let initializers = Set(graph.initializer.map(\.name))
        let inputs = graph.input.filter { !initializers.contains($0.name) }
        guard inputs.count == 1 else {
            throw FloatImportError("the model has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); Minnow imports models with one")
        }
        guard graph.output.count == 1 else {
            throw FloatImportError("the model has \(graph.output.count) outputs; Minnow imports models with one")
        }
        let info = inputs[0]
        let declared = info.type.tensorType.shape.dim.map { $0.dimValue > 0 ? Int(clamping: $0.dimValue) : nil }
        guard info.type.tensorType.hasShape, !declared.isEmpty else {
            if inputShape == nil { throw FloatImportError("input '\(info.name)' has no declared shape: give --input-shape") }
            throw FloatImportError("input '\(info.name)' has no declared shape to check --input-shape against")
        }
        var dims: [Int] = []
        if let inputShape {
            guard inputShape.count == declared.count else {
                throw FloatImportError("--input-shape has \(inputShape.count) dims, input '\(info.name)' has \(declared.count)")
            }
            for (k, (given, fixed)) in zip(inputShape, declared).enumerated() {
                guard given >= 1 else { throw FloatImportError("--input-shape dim \(k) is \(given), must be at least 1") }
                if k > 0, let fixed, fixed != given {
                    throw FloatImportError("--input-shape dim \(k) is \(given), but input '\(info.name)' fixes it at \(fixed)")
                }
            }
            dims = inputShape
        } else {
            for (k, d) in declared.enumerated() {
                guard let d = d ?? (k == 0 ? 1 : nil) else {
                    throw FloatImportError("input '\(info.name)' dim \(k) is dynamic (\(info.type.tensorType.shape.dim[k].dimParam)): give --input-shape")
                }
                dims.append(d)
            }
        }
        guard (2...4).contains(dims.count) else {
            throw FloatImportError("input '\(info.name)' has \(dims.count) dims; Minnow imports images (4) and vectors (2)")
        }
        guard let size = checkedProduct(dims.dropFirst()), size <= Graph.maxTensorElements else {
            throw FloatImportError("input '\(info.name)' of shape \(dims) is too large")
        }
        dims[0] = 1  // the batch is implicit in Minnow's graph; `run` takes any leading count
        // An NHWC input (tf2onnx keeps Keras's) reaches its convolutions through Transpose
        // [0, 3, 1, 2] or, with one channel, a Reshape; anything else is read as NCHW.
        let consumers = graph.node.filter { $0.input.contains(info.name) }
        let nhwc = dims.count == 4 && !consumers.isEmpty && consumers.allSatisfy { n in
            (n.opType == "Transpose" && Attributes(n, node: "").ints("perm") == [0, 3, 1, 2]) || n.opType == "Reshape"
        }
        let order = dims.count == 4 && !nhwc ? LaidOutTensor.channelsLast : Array(0..<dims.count)
        input = (info.name, dims, order)
        var memory = order.filter { $0 != 0 }.map { dims[$0] }
        while memory.count < 3 { memory.insert(1, at: 0) }
        builder = GraphBuilder(input: Shape(memory), seed: 0)
        values[info.name] = .tensor(LaidOutTensor(node: 0, dims: dims, order: order))
        for t in graph.initializer { values[t.name] = .constant(try ConstantTensor(t, what: "initializer '\(t.name)'")) }
        for n in graph.node { for i in n.input where !i.isEmpty { readers[i, default: 0] += 1 } }
        for o in graph.output { readers[o.name, default: 0] += 1 }
    }

    mutating func run() throws(FloatImportError) -> Model {
        for (index, node) in graph.node.enumerated() {
            guard !node.output.isEmpty else { throw FloatImportError("node \(index) '\(node.name)': \(node.opType) has no outputs") }
            let label = "node \(index) '\(node.name.isEmpty ? node.output.first ?? "" : node.name)'"
            guard node.domain.isEmpty || node.domain == "ai.onnx" else {
                throw FloatImportError("\(label): \(node.opType) of domain '\(node.domain)' is not supported")
            }
            let outputs = try namingErrors("\(label): \(node.opType)") { try lower(node, label: label) }
            for (name, value) in zip(node.output, outputs) where !name.isEmpty { values[name] = value }
            if ["Conv", "ConvTranspose", "Gemm", "MatMul"].contains(node.opType), let out = node.output.first { foldTargets.insert(out) }
        }
        let name = graph.output[0].name
        if case let .hardSigmoid(of: x)? = values[name] {
            do { values[name] = .tensor(try activation(.hardSigmoid, x, name)) } catch { throw FloatImportError("\(name): \(error)") }
        }
        guard let value = values[name] else { throw FloatImportError("the graph output '\(name)' is never computed") }
        guard case let .tensor(result) = value, result.gather == nil else {
            throw FloatImportError("the graph output '\(name)' is a constant or a flattened tensor in a layout the graph cannot store")
        }
        return builder.importedModel(inputName: input.name, output: result.node,
                                     notes: "imported from ONNX (opset \(opset)\(producer.isEmpty ? "" : ", made by " + producer))",
                                     inputLayout: TensorLayout(dims: input.dims, order: input.order),
                                     outputLayout: TensorLayout(dims: result.dims, order: result.order))
    }

    // MARK: Values

    func value(_ n: Onnx_NodeProto, _ k: Int, _ label: String) throws(FloatImportError) -> ONNXValue? {
        guard k < n.input.count, !n.input[k].isEmpty else { return nil }
        guard let v = values[n.input[k]] else { throw FloatImportError("\(label): input '\(n.input[k])' is not computed before it") }
        return v
    }

    func tensor(_ n: Onnx_NodeProto, _ k: Int, _ label: String) throws(FloatImportError) -> LaidOutTensor {
        switch try value(n, k, label) {
        case let .tensor(t): return t
        case .constant: throw FloatImportError("\(label): \(n.opType) of constant inputs is not supported")
        case .hardSigmoid: preconditionFailure("materializeHardSigmoids runs first")
        case nil: throw FloatImportError("\(label): \(n.opType) needs input \(k)")
        }
    }

    func constant(_ n: Onnx_NodeProto, _ k: Int, _ label: String, _ what: String) throws(FloatImportError) -> ConstantTensor? {
        switch try value(n, k, label) {
        case let .constant(c): return c
        case nil: return nil
        default: throw FloatImportError("\(label): \(n.opType)'s \(what) must be a constant (an initializer or a folded shape computation)")
        }
    }

    /// The tensor stored with exactly this memory shape (a Minnow reshape appended if not).
    mutating func node(_ t: LaidOutTensor, shape: [Int], _ label: String) throws(GraphError) -> Int {
        if builder.shapes[t.node].dims == shape { return t.node }
        return try builder.append(.reshape(Shape(shape)), [t.node], name: "\(label) reshape")
    }

    /// An NCHW image held NHWC (`[H, W, C]` in memory), or an error naming why it is not.
    mutating func image(_ t: LaidOutTensor, _ n: Onnx_NodeProto, _ label: String) throws(FloatImportError) -> (node: Int, LaidOutTensor) {
        guard t.dims.count == 4 else {
            throw FloatImportError("\(label): \(n.opType) of a rank-\(t.dims.count) tensor \(t.dims) is not supported (2-D ops on NCHW images are)")
        }
        guard let nhwc = t.relabeled(LaidOutTensor.channelsLast) else {
            throw FloatImportError("\(label): \(n.opType) needs an NCHW image; its input \(t.dims) is held in a layout that would need a transpose Minnow has no op for")
        }
        do {
            return (try node(nhwc, shape: [t.dims[2], t.dims[3], t.dims[1]], label), nhwc)
        } catch {
            throw FloatImportError("\(label): \(error.message)")
        }
    }
}
