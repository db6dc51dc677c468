/// Builds a graph node by node with freshly initialized weights: convolution and dense weights
/// He-normal (std = sqrt(2 / fan-in)), biases 0, batch norm gamma 1, beta 0, mean 0, variance 1.
/// Each method returns the new node's index, to be passed to later nodes.
///
/// ```
/// var b = GraphBuilder(input: Shape([28, 28, 1]), seed: 1)
/// var x = b.conv(b.input, Conv2D(outChannels: 16, kernel: (3, 3), hasBias: false))
/// x = b.activation(b.batchNorm(x), .relu6)
/// let graph = b.dense(b.flatten(x), 10).graph
/// ```
public struct GraphBuilder {
    public private(set) var nodes: [Node]
    public private(set) var shapes: [Shape]
    var random: SeededRandom

    public init(input: Shape, seed: UInt64) {
        nodes = [Node(name: "input", op: .input(input))]
        shapes = [input]
        random = SeededRandom(seed: seed)
    }

    /// Index of the input node.
    public var input: Int { 0 }

    /// The graph built so far; its output is the last node added.
    public var graph: Graph { Graph(nodes: nodes) }

    /// Appends a node; the op and parameters must fit the inputs (shape inference is applied and
    /// a misfit traps, since builders are code, not input).
    @discardableResult
    public mutating func add(_ op: Op, _ inputs: [Int], parameters: [Tensor] = [], name: String? = nil) -> Int {
        let node = Node(name: name ?? "\(op.name)_\(nodes.count)", op: op, inputs: inputs, parameters: parameters)
        do {
            shapes.append(try node.outputShape(inputs: inputs.map { shapes[$0] }, isFirst: false))
        } catch {
            preconditionFailure("GraphBuilder: \(node.name): \(error.text)")
        }
        nodes.append(node)
        return nodes.count - 1
    }

    /// Appends a node with the given weights, checked as model files are (an importer's nodes
    /// come from untrusted files): a misfit throws the `GraphError` naming the node.
    @discardableResult
    public mutating func append(_ op: Op, _ inputs: [Int], parameters: [Tensor] = [], name: String) throws(GraphError) -> Int {
        let node = Node(name: name, op: op, inputs: inputs, parameters: parameters)
        let shape: Shape
        do {
            shape = try node.outputShape(inputs: inputs.map { shapes[$0] }, isFirst: false)
        } catch {
            throw GraphError(node: nodes.count, nodeName: name, opName: op.name, message: error.text)
        }
        guard let count = shape.checkedCount, count <= Graph.maxTensorElements else {
            throw GraphError(node: nodes.count, nodeName: name, opName: op.name,
                             message: "output \(shape) has more than \(Graph.maxTensorElements) values per example")
        }
        nodes.append(node)
        shapes.append(shape)
        return nodes.count - 1
    }

    /// Replaces a node's weights (an importer folding a following scale or bias into them); the
    /// shapes must stay those the node was added with.
    public mutating func replaceParameters(of index: Int, with parameters: [Tensor], op: Op) {
        nodes[index].parameters = parameters
        nodes[index].op = op
    }

    mutating func heNormal(_ shape: [Int], fanIn: Int) -> Tensor {
        let std = (2 / Float(fanIn)).squareRoot()
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in random.normal() * std })
    }

    public mutating func conv(_ x: Int, _ c: Conv2D, name: String? = nil) -> Int {
        let cinPerGroup = shapes[x].channels / c.groups
        var params = [heNormal([c.outChannels, c.kernelH, c.kernelW, cinPerGroup], fanIn: c.kernelH * c.kernelW * cinPerGroup)]
        if c.hasBias { params.append(Tensor(zeros: [c.outChannels])) }
        return add(.conv2d(c), [x], parameters: params, name: name)
    }

    /// A depthwise convolution (groups = input channels) with the given multiplier.
    public mutating func depthwise(_ x: Int, kernel: Int = 3, stride: Int = 1, dilation: Int = 1, multiplier: Int = 1,
                                   padding: Padding = .same, hasBias: Bool = false, name: String? = nil) -> Int {
        let c = shapes[x].channels
        return conv(x, Conv2D(outChannels: c * multiplier, kernel: (kernel, kernel), stride: (stride, stride),
                              dilation: (dilation, dilation), padding: padding, groups: c, hasBias: hasBias), name: name)
    }

    public mutating func transposedConv(_ x: Int, _ t: TransposedConv2D, name: String? = nil) -> Int {
        let cin = shapes[x].channels
        var params = [heNormal([t.outChannels, t.kernelH, t.kernelW, cin], fanIn: t.kernelH * t.kernelW * cin)]
        if t.hasBias { params.append(Tensor(zeros: [t.outChannels])) }
        return add(.transposedConv2d(t), [x], parameters: params, name: name)
    }

    @discardableResult
    public mutating func dense(_ x: Int, _ outFeatures: Int, hasBias: Bool = true, name: String? = nil) -> Int {
        let cin = shapes[x].count
        var params = [heNormal([outFeatures, cin], fanIn: cin)]
        if hasBias { params.append(Tensor(zeros: [outFeatures])) }
        return add(.dense(outFeatures: outFeatures, hasBias: hasBias), [x], parameters: params, name: name)
    }

    public mutating func flatten(_ x: Int, name: String? = nil) -> Int {
        add(.flatten, [x], name: name)
    }

    public mutating func batchNorm(_ x: Int, epsilon: Float = 1e-3, name: String? = nil) -> Int {
        let c = shapes[x].channels
        let ones = Tensor(shape: [c], data: .init(repeating: 1, count: c))
        return add(.batchNorm(epsilon: epsilon), [x], parameters: [ones, Tensor(zeros: [c]), Tensor(zeros: [c]), ones], name: name)
    }

    public mutating func activation(_ x: Int, _ a: Activation, name: String? = nil) -> Int {
        add(.activation(a), [x], name: name)
    }

    /// conv (no bias) → batch norm → activation, the backbone's usual triple.
    public mutating func convBN(_ x: Int, _ c: Conv2D, _ a: Activation?, name: String) -> Int {
        var conv = c
        conv.hasBias = false
        let y = batchNorm(self.conv(x, conv, name: name), name: "\(name)_bn")
        return a.map { activation(y, $0, name: "\(name)_\($0)") } ?? y
    }
}
