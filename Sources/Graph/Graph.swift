/// One node of a graph: an op, the nodes it reads, and its parameters (weights).
public struct Node: Hashable, Sendable {
    public var name: String
    public var op: Op
    /// Indices of the nodes whose outputs this node reads; always earlier nodes.
    public var inputs: [Int]
    /// Weights in the order `Op` documents for this op; empty for ops without weights.
    public var parameters: [Tensor]

    public init(name: String, op: Op, inputs: [Int] = [], parameters: [Tensor] = []) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.parameters = parameters
    }
}

/// A float inference graph in topological order: node 0 is the input, every node reads only
/// earlier nodes, and `output` names the node whose value is the graph's result.
public struct Graph: Hashable, Sendable {
    public var nodes: [Node]
    public var output: Int

    public init(nodes: [Node], output: Int? = nil) {
        self.nodes = nodes
        self.output = output ?? (nodes.count - 1)
    }

    /// Shape of one input example, from the input node.
    public var inputShape: Shape {
        if case let .input(shape) = nodes.first?.op { return shape }
        return Shape([])
    }
}

/// How raw pixels become model inputs: `x = (pixel / 255 − mean[c]) / std[c]` per channel.
/// Example: mean 0.5, std 0.5 maps pixel 0 to −1 and 255 to +1.
public struct Normalization: Hashable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Identity on [0, 1]: x = pixel / 255.
    public static func unit(channels: Int) -> Normalization {
        Normalization(mean: .init(repeating: 0, count: channels), std: .init(repeating: 1, count: channels))
    }
}

/// How a model's user lays out a tensor when it differs from Minnow's memory order: `dims` in
/// the user's axis order (batch first), `order` the user's axes in Minnow's memory order,
/// outermost first. Example: a PyTorch input `[1, 3, 224, 224]` (NCHW) that Minnow holds as
/// `224×224×3` has order `[0, 2, 3, 1]`; a tf2onnx input `[1, 28, 28, 1]` has order `[0, 1, 2, 3]`.
public struct TensorLayout: Hashable, Sendable {
    public var dims: [Int]
    public var order: [Int]

    public init(dims: [Int], order: [Int]) {
        self.dims = dims
        self.order = order
    }

    /// True when the user's row-major order is Minnow's memory order (no permutation needed).
    public var isRowMajor: Bool { order.filter { dims[$0] != 1 } == (0..<dims.count).filter { dims[$0] != 1 } }

    /// `samples` examples in the user's row-major order → Minnow's memory order.
    public func memoryOrder(_ user: [Float], samples: Int) -> [Float] { permuted(user, samples: samples, toMemory: true) }

    /// `samples` examples in Minnow's memory order → the user's row-major order.
    public func userOrder(_ memory: [Float], samples: Int) -> [Float] { permuted(memory, samples: samples, toMemory: false) }

    func permuted(_ values: [Float], samples: Int, toMemory: Bool) -> [Float] {
        if isRowMajor { return values }
        let index = userIndexOfMemory, size = index.count
        var out = values
        for s in 0..<samples {
            for (m, u) in index.enumerated() {
                if toMemory { out[s * size + m] = values[s * size + u] } else { out[s * size + u] = values[s * size + m] }
            }
        }
        return out
    }

    /// For each Minnow memory position, the user's row-major index of the element stored there
    /// (over all of `dims`: one example, whose batch axis is 1).
    public var userIndexOfMemory: [Int] {
        var strides = [Int](repeating: 1, count: dims.count)
        for k in stride(from: dims.count - 2, through: 0, by: -1) { strides[k] = strides[k + 1] * dims[k + 1] }
        let total = dims.reduce(1, *)
        var out: [Int] = []
        out.reserveCapacity(total)
        var index = [Int](repeating: 0, count: dims.count)
        for _ in 0..<total {
            out.append(zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 })
            var k = order.count - 1
            while k >= 0 {
                let axis = order[k]
                index[axis] += 1
                if index[axis] < dims[axis] { break }
                index[axis] = 0
                k -= 1
            }
        }
        return out
    }
}

/// A float model as stored in model.bin: the graph, its class labels, how to normalize its
/// input, a free-text record of where it came from (e.g. the training command), and for an
/// imported model the source's input and output layouts (nil: Minnow's own NHWC).
public struct Model: Hashable, Sendable {
    public var graph: Graph
    public var labels: [String]
    public var normalization: Normalization
    public var notes: String
    public var inputLayout: TensorLayout?
    public var outputLayout: TensorLayout?

    public init(graph: Graph, labels: [String], normalization: Normalization, notes: String = "",
                inputLayout: TensorLayout? = nil, outputLayout: TensorLayout? = nil) {
        self.graph = graph
        self.labels = labels
        self.normalization = normalization
        self.notes = notes
        self.inputLayout = inputLayout
        self.outputLayout = outputLayout
    }
}
