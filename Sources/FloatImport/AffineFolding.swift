import Graph

/// Per-channel `y = scale · x + shift` (batch norms, and Mul/Add/Sub/Div by constants, that
/// exporters leave after a layer) either folded into the layer that made x or kept as an exact
/// batch norm node. Example: Keras's `Conv(no bias) → Mul(γ/σ) → Add(β − μγ/σ)` folds to one
/// convolution with a bias.
extension GraphBuilder {
    /// Scales node `index`'s weight rows and bias by `scale` and adds `shift` to the bias, if it is
    /// a convolution, transposed convolution or dense layer with `scale`/`shift`'s channel count.
    /// The caller makes sure nothing else reads the node. Returns false (nothing changed) otherwise.
    mutating func foldAffine(into index: Int, scale: [Double]?, shift: [Double]?) -> Bool {
        guard index > 0 else { return false }
        var op = nodes[index].op
        var p = nodes[index].parameters
        let outChannels: Int
        switch op {
        case var .conv2d(c): outChannels = c.outChannels; c.hasBias = true; op = .conv2d(c)
        case var .transposedConv2d(c): outChannels = c.outChannels; c.hasBias = true; op = .transposedConv2d(c)
        case let .dense(out, _): outChannels = out; op = .dense(outFeatures: out, hasBias: true)
        default: return false
        }
        guard outChannels == (scale ?? shift ?? []).count else { return false }
        if p.count == 1 { p.append(Tensor(zeros: [outChannels])) }
        let perOut = p[0].count / outChannels
        for o in 0..<outChannels {
            let s = scale?[o] ?? 1, b = shift?[o] ?? 0
            if scale != nil { for k in 0..<perOut { p[0].data[o * perOut + k] = Float(Double(p[0].data[o * perOut + k]) * s) } }
            p[1].data[o] = Float(Double(p[1].data[o]) * s + b)
        }
        replaceParameters(of: index, with: p, op: op)
        return true
    }

    /// The affine as a batch norm node over x's last axis (mean 0, variance 1/2, epsilon 1/2: exact).
    mutating func appendAffine(_ x: Int, scale: [Double]?, shift: [Double]?, name: String) throws(GraphError) -> Int {
        let channels = shapes[x].channels
        let gamma = Tensor(shape: [channels], data: (0..<channels).map { Float(scale?[$0] ?? 1) })
        let beta = Tensor(shape: [channels], data: (0..<channels).map { Float(shift?[$0] ?? 0) })
        return try append(.batchNorm(epsilon: 0.5), [x],
                          parameters: [gamma, beta, Tensor(zeros: [channels]), Tensor(shape: [channels], data: .init(repeating: 0.5, count: channels))],
                          name: name)
    }
}
