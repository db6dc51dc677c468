/// A graph that cannot run, with the node at fault and what is wrong.
/// Example: `node 4 'pw2' (conv2d): weight shape [64, 1, 1, 16] does not match [64, 1, 1, 32]`.
public struct GraphError: Error, Hashable, CustomStringConvertible {
    public var node: Int
    public var nodeName: String
    public var opName: String
    public var message: String

    public var description: String {
        node < 0 ? message : "node \(node) '\(nodeName)' (\(opName)): \(message)"
    }
}

extension Graph {
    /// Largest tensor a node may produce per example (2^28 values, 1 GiB of float32).
    public static let maxTensorElements = 1 << 28

    /// The output shape of every node (batch excluded), checking each node's arity, attributes
    /// and parameter shapes against its inputs. Throws a `GraphError` naming the first node that
    /// cannot run and why.
    public func inferShapes() throws(GraphError) -> [Shape] {
        guard !nodes.isEmpty else {
            throw GraphError(node: -1, nodeName: "", opName: "", message: "the graph has no nodes")
        }
        guard output >= 0, output < nodes.count else {
            throw GraphError(node: -1, nodeName: "", opName: "",
                             message: "graph output \(output) is not a node (the graph has \(nodes.count))")
        }
        var shapes: [Shape] = []
        shapes.reserveCapacity(nodes.count)
        for (index, node) in nodes.enumerated() {
            func fail(_ message: String) -> GraphError {
                GraphError(node: index, nodeName: node.name, opName: node.op.name, message: message)
            }
            for input in node.inputs where input < 0 || input >= index {
                throw fail("input \(input) is not an earlier node")
            }
            let shape: Shape
            do {
                shape = try node.outputShape(inputs: node.inputs.map { shapes[$0] }, isFirst: index == 0)
            } catch let message {
                throw fail(message.text)
            }
            guard let count = shape.checkedCount, count <= Graph.maxTensorElements else {
                throw fail("output \(shape) has more than \(Graph.maxTensorElements) values per example")
            }
            shapes.append(shape)
        }
        return shapes
    }
}

/// A shape-inference failure message, before the node it belongs to is known.
struct ShapeMessage: Error { var text: String }

extension Node {
    func outputShape(inputs: [Shape], isFirst: Bool) throws(ShapeMessage) -> Shape {
        func require(_ ok: Bool, _ text: @autoclosure () -> String) throws(ShapeMessage) {
            if !ok { throw ShapeMessage(text: text()) }
        }
        func requireInputs(_ n: Int) throws(ShapeMessage) {
            try require(inputs.count == n, "takes \(n) input\(n == 1 ? "" : "s"), has \(inputs.count)")
        }
        func requireImage(_ s: Shape) throws(ShapeMessage) {
            try require(s.isImage, "needs an H×W×C image input, got \(s)")
        }
        func requireParameters(_ expected: [[Int]]) throws(ShapeMessage) {
            try require(parameters.count == expected.count,
                        "has \(parameters.count) parameter tensors, expected \(expected.count)")
            for (i, (p, e)) in zip(parameters, expected).enumerated() {
                try require(p.shape == e, "parameter \(i) has shape \(p.shape), expected \(e)")
            }
        }
        func window(_ input: Int, _ k: Int, _ s: Int, _ d: Int, _ p: Padding, vertical: Bool) throws(ShapeMessage) -> Int {
            try require(k >= 1 && s >= 1 && d >= 1, "kernel, stride and dilation must be ≥ 1 (got \(k), \(s), \(d))")
            if case let .explicit(t, l, b, r) = p {
                try require(t >= 0 && l >= 0 && b >= 0 && r >= 0, "padding must not be negative (got \(p))")
            }
            guard let w = resolveWindow(input: input, kernel: k, stride: s, dilation: d, padding: p, vertical: vertical) else {
                throw ShapeMessage(text: "a \(k)-wide window (dilation \(d)) does not fit an input of \(input) with \(p) padding")
            }
            return w.output
        }

        if case .input = op {} else {
            try require(!isFirst, "node 0 must be the graph input")
        }
        switch op {
        case let .input(shape):
            try require(isFirst, "only node 0 may be an input")
            try requireInputs(0)
            try require(shape.isImage && shape.dims.allSatisfy { $0 >= 1 }, "input shape \(shape) is not a positive H×W×C")
            try requireParameters([])
            return shape

        case let .conv2d(c):
            try requireInputs(1)
            let x = inputs[0]
            try requireImage(x)
            try require(c.groups >= 1 && c.outChannels >= 1, "groups and output channels must be ≥ 1")
            try require(x.channels % c.groups == 0,
                        "input has \(x.channels) channels, not divisible by groups \(c.groups)")
            try require(c.outChannels % c.groups == 0,
                        "\(c.outChannels) output channels are not divisible by groups \(c.groups)")
            let h = try window(x.height, c.kernelH, c.strideH, c.dilationH, c.padding, vertical: true)
            let w = try window(x.width, c.kernelW, c.strideW, c.dilationW, c.padding, vertical: false)
            let weight = [c.outChannels, c.kernelH, c.kernelW, x.channels / c.groups]
            try requireParameters(c.hasBias ? [weight, [c.outChannels]] : [weight])
            return Shape([h, w, c.outChannels])

        case let .transposedConv2d(t):
            try requireInputs(1)
            let x = inputs[0]
            try requireImage(x)
            try require(t.kernelH >= 1 && t.kernelW >= 1 && t.strideH >= 1 && t.strideW >= 1 && t.outChannels >= 1,
                        "kernel, stride and output channels must be ≥ 1")
            try require(t.outputPaddingH >= 0 && t.outputPaddingW >= 0
                        && t.outputPaddingH < t.strideH && t.outputPaddingW < t.strideW,
                        "output padding must be ≥ 0 and smaller than the stride")
            guard let (h, w) = t.outputSize(inputH: x.height, inputW: x.width) else {
                throw ShapeMessage(text: "padding \(t.padding) leaves no output for input \(x)")
            }
            let weight = [t.outChannels, t.kernelH, t.kernelW, x.channels]
            try requireParameters(t.hasBias ? [weight, [t.outChannels]] : [weight])
            return Shape([h, w, t.outChannels])

        case let .dense(outFeatures, hasBias):
            try requireInputs(1)
            let x = inputs[0]
            try require(x.dims.count == 1, "needs a vector input, got \(x) (flatten or pool first)")
            try require(outFeatures >= 1, "output features must be ≥ 1")
            let weight = [outFeatures, x.channels]
            try requireParameters(hasBias ? [weight, [outFeatures]] : [weight])
            return Shape([outFeatures])

        case let .batchNorm(epsilon):
            try requireInputs(1)
            try require(epsilon > 0 && epsilon.isFinite, "epsilon must be a positive number, got \(epsilon)")
            let c = inputs[0].channels
            try requireParameters([[c], [c], [c], [c]])
            try require(parameters[3].data.allSatisfy { $0 >= 0 }, "running variance has a negative value")
            return inputs[0]

        case let .activation(a):
            try requireInputs(1)
            try requireParameters([])
            if case let .leakyRelu(alpha) = a { try require(alpha.isFinite, "alpha must be finite") }
            return inputs[0]

        case .dropout(let rate):
            try requireInputs(1)
            try requireParameters([])
            try require(rate >= 0 && rate < 1, "rate must be in [0, 1), got \(rate)")
            return inputs[0]

        case let .maxPool(p), let .averagePool(p):
            try requireInputs(1)
            try requireParameters([])
            let x = inputs[0]
            try requireImage(x)
            let h = try window(x.height, p.kernelH, p.strideH, 1, p.padding, vertical: true)
            let w = try window(x.width, p.kernelW, p.strideW, 1, p.padding, vertical: false)
            if case let .explicit(t, l, b, r) = p.padding {
                try require(t < p.kernelH && b < p.kernelH && l < p.kernelW && r < p.kernelW,
                            "padding \(p.padding) must be smaller than the \(p.kernelH)×\(p.kernelW) window")
            }
            return Shape([h, w, x.channels])

        case .globalAveragePool:
            try requireInputs(1)
            try requireParameters([])
            try requireImage(inputs[0])
            return Shape([inputs[0].channels])

        case .add:
            try requireInputs(2)
            try requireParameters([])
            try require(inputs[0] == inputs[1], "adds \(inputs[0]) to \(inputs[1]): shapes differ")
            return inputs[0]

        case .mul:
            try requireInputs(2)
            try requireParameters([])
            try require(inputs[0] == inputs[1] || inputs[1].count == inputs[0].channels,
                        "multiplies \(inputs[0]) by \(inputs[1]): neither its shape nor one value per channel")
            return inputs[0]

        case .concat:
            try require(inputs.count >= 2, "takes 2 or more inputs, has \(inputs.count)")
            try requireParameters([])
            for s in inputs { try requireImage(s) }
            let (h, w) = (inputs[0].height, inputs[0].width)
            for s in inputs {
                try require(s.height == h && s.width == w, "concatenates \(inputs[0]) with \(s): H×W differ")
            }
            return Shape([h, w, inputs.reduce(0) { $0 + $1.channels }])

        case let .channelShuffle(groups):
            try requireInputs(1)
            try requireParameters([])
            try requireImage(inputs[0])
            try require(groups >= 1 && inputs[0].channels % groups == 0,
                        "\(inputs[0].channels) channels cannot be shuffled in \(groups) groups")
            return inputs[0]

        case let .reshape(shape):
            try requireInputs(1)
            try requireParameters([])
            try require(!shape.dims.isEmpty && shape.dims.allSatisfy { $0 >= 1 }, "target shape \(shape) is not positive")
            try require(shape.checkedCount == inputs[0].count, "cannot reshape \(inputs[0]) (\(inputs[0].count) values) to \(shape)")
            return shape

        case .flatten:
            try requireInputs(1)
            try requireParameters([])
            return Shape([inputs[0].count])

        case let .zeroPad(t, l, b, r):
            try requireInputs(1)
            try requireParameters([])
            try requireImage(inputs[0])
            try require(t >= 0 && l >= 0 && b >= 0 && r >= 0, "padding must not be negative")
            let x = inputs[0]
            return Shape([x.height + t + b, x.width + l + r, x.channels])

        case let .upsampleNearest(sh, sw):
            try requireInputs(1)
            try requireParameters([])
            try requireImage(inputs[0])
            try require(sh >= 1 && sw >= 1, "scale factors must be ≥ 1")
            let x = inputs[0]
            return Shape([x.height * sh, x.width * sw, x.channels])

        case let .resizeBilinear(h, w, alignCorners, halfPixelCenters):
            try requireInputs(1)
            try requireParameters([])
            try requireImage(inputs[0])
            try require((1...1 << 16).contains(h) && (1...1 << 16).contains(w), "output size must be 1 to 65,536")
            try require(!(alignCorners && halfPixelCenters), "align corners and half-pixel centres exclude each other")
            return Shape([h, w, inputs[0].channels])

        case .softmax:
            try requireInputs(1)
            try requireParameters([])
            return inputs[0]
        }
    }
}

extension TransposedConv2D {
    /// Output H and W for an input of `inputH × inputW`, or nil if explicit padding eats it all.
    public func outputSize(inputH: Int, inputW: Int) -> (Int, Int)? {
        let h: Int, w: Int
        switch padding {
        case .same:
            (h, w) = (inputH * strideH, inputW * strideW)
        case .valid:
            (h, w) = ((inputH - 1) * strideH + kernelH, (inputW - 1) * strideW + kernelW)
        case let .explicit(t, l, b, r):
            guard t >= 0, l >= 0, b >= 0, r >= 0 else { return nil }
            (h, w) = ((inputH - 1) * strideH + kernelH - t - b, (inputW - 1) * strideW + kernelW - l - r)
        }
        let (oh, ow) = (h + outputPaddingH, w + outputPaddingW)
        return oh >= 1 && ow >= 1 ? (oh, ow) : nil
    }

    /// Padding (top, left) of the forward convolution that maps this op's output back to its
    /// input. For `.same`: total = max(k − stride, 0) per axis (TFLite), top = total / 2.
    public var paddingBefore: (top: Int, left: Int) {
        switch padding {
        case .same: return (max(kernelH - strideH, 0) / 2, max(kernelW - strideW, 0) / 2)
        case .valid: return (0, 0)
        case let .explicit(t, l, _, _): return (t, l)
        }
    }
}
