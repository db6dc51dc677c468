extension Graph {
    /// Multiply-accumulates of one example per node: convolutions, transposed convolutions and
    /// dense layers count one MAC per weight use; every other op counts 0.
    /// Example: a 3×3 conv 1→16 channels on a 28×28 output does 28·28·16·9 = 112,896 MACs.
    public func macs(shapes: [Shape]) -> [Int] {
        nodes.enumerated().map { index, node in
            let out = shapes[index]
            switch node.op {
            case let .conv2d(c):
                return out.count * c.kernelH * c.kernelW * (shapes[node.inputs[0]].channels / c.groups)
            case let .transposedConv2d(t):
                return shapes[node.inputs[0]].count * t.kernelH * t.kernelW * t.outChannels
            case let .dense(n, _):
                return n * shapes[node.inputs[0]].count
            default:
                return 0
            }
        }
    }
}

extension Node {
    /// Number of stored parameters (weights, biases, batch-norm statistics).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}
