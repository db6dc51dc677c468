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

/// A float model as stored in model.bin: the graph, its class labels, how to normalize its
/// input, and a free-text record of where it came from (e.g. the training command).
public struct Model: Hashable, Sendable {
    public var graph: Graph
    public var labels: [String]
    public var normalization: Normalization
    public var notes: String

    public init(graph: Graph, labels: [String], normalization: Normalization, notes: String = "") {
        self.graph = graph
        self.labels = labels
        self.normalization = normalization
        self.notes = notes
    }
}
