import Graph

/// What one forward and backward pass over a batch (or a shard of one) produces.
struct StepResult {
    /// Per node, one gradient per parameter tensor (empty for nodes without parameters).
    var gradients: [[[Float]]]
    var loss: Double
    var correct: Int
    /// Per batch-norm node, the batch mean and biased variance of its input.
    var moments: [Int: (mean: [Float], variance: [Float])]
}

/// Runs `graph` forward in training mode (batch-norm batch statistics, dropout masks from
/// `dropoutSeed`) and back-propagates softmax cross-entropy with label smoothing. The loss is on
/// the graph's output, or on the input of a final softmax. Gradients are scaled by `scale`
/// (1 / the full batch size, when a shard computes part of a batch).
func backpropagate(_ executor: FloatExecutor, input: [Float], labels: ArraySlice<Int>, smoothing: Float, scale: Float,
                   dropoutSeed: UInt64) -> StepResult {
    let graph = executor.graph, shapes = executor.shapes
    let batch = labels.count
    var values = [[Float]](repeating: [], count: graph.nodes.count)
    _ = executor.run(input, batch: batch, batchStatistics: true, dropoutSeed: dropoutSeed) { node, v in values[node] = Array(v) }
    var lossNode = graph.output
    if case .softmax = graph.nodes[lossNode].op { lossNode = graph.nodes[lossNode].inputs[0] }
    let loss = softmaxCrossEntropy(logits: values[lossNode], labels: labels, n: shapes[lossNode].count, smoothing: smoothing,
                                   scale: scale)
    var grads = [[Float]?](repeating: nil, count: graph.nodes.count)
    grads[lossNode] = loss.dLogits
    var parameterGrads = graph.nodes.map { $0.parameters.map { _ in [Float]() } }
    var moments: [Int: (mean: [Float], variance: [Float])] = [:]

    func accumulate(_ node: Int, _ d: [Float]) {
        if let existing = grads[node] {
            grads[node] = zip(existing, d).map(+)
        } else {
            grads[node] = d
        }
    }

    for index in stride(from: lossNode, through: 1, by: -1) {
        guard let dY = grads[index] else { continue }
        let node = graph.nodes[index]
        let x0 = node.inputs.first ?? 0
        let input = shapes[x0], output = shapes[index]
        switch node.op {
        case .input:
            break
        case let .conv2d(c):
            let g = conv2dGradient(c, x: values[x0], weight: node.parameters[0].data, dY: dY, batch: batch, input: input, output: output)
            accumulate(x0, g.dX)
            parameterGrads[index] = c.hasBias ? [g.dW, g.dBias] : [g.dW]
        case let .transposedConv2d(t):
            let g = transposedConvGradient(t, x: values[x0], weight: node.parameters[0].data, dY: dY, batch: batch, input: input, output: output)
            accumulate(x0, g.dX)
            parameterGrads[index] = t.hasBias ? [g.dW, g.dBias] : [g.dW]
        case let .dense(n, hasBias):
            let g = denseGradient(x: values[x0], weight: node.parameters[0].data, dY: dY, batch: batch, inputs: input.count, outputs: n)
            accumulate(x0, g.dX)
            parameterGrads[index] = hasBias ? [g.dW, g.dBias] : [g.dW]
        case let .batchNorm(eps):
            let g = batchNormGradient(x: values[x0], dY: dY, gamma: node.parameters[0].data, epsilon: eps)
            accumulate(x0, g.dX)
            parameterGrads[index] = [g.dGamma, g.dBeta, [], []]
            moments[index] = (g.mean, g.variance)
        case let .activation(a):
            accumulate(x0, activationGradient(a, x: values[x0], y: values[index], dY: dY))
        case let .maxPool(p):
            accumulate(x0, poolGradient(p, isMax: true, x: values[x0], dY: dY, batch: batch, input: input, output: output))
        case let .averagePool(p):
            accumulate(x0, poolGradient(p, isMax: false, x: values[x0], dY: dY, batch: batch, input: input, output: output))
        case .globalAveragePool:
            accumulate(x0, globalAveragePoolGradient(dY: dY, batch: batch, input: input))
        case .add:
            accumulate(node.inputs[0], dY)
            accumulate(node.inputs[1], dY)
        case .mul:
            let a = values[node.inputs[0]], b = values[node.inputs[1]]
            let broadcast = shapes[node.inputs[1]] != output, perExample = output.count, c = output.channels
            var da = [Float](repeating: 0, count: dY.count), db = [Float](repeating: 0, count: b.count)
            for i in 0..<dY.count {
                let j = broadcast ? (i / perExample) * c + i % c : i
                da[i] = dY[i] * b[j]
                db[j] += dY[i] * a[i]
            }
            accumulate(node.inputs[0], da)
            accumulate(node.inputs[1], db)
        case .concat:
            let parts = concatGradient(dY: dY, channels: node.inputs.map { shapes[$0].channels }, pixels: batch * output.height * output.width)
            for (i, d) in zip(node.inputs, parts) { accumulate(i, d) }
        case let .channelShuffle(groups):
            accumulate(x0, channelShuffleGradient(dY: dY, channels: output.channels, groups: groups))
        case .reshape, .flatten:
            accumulate(x0, dY)
        case let .zeroPad(top, left, _, _):
            accumulate(x0, zeroPadGradient(dY: dY, batch: batch, input: input, output: output, top: top, left: left))
        case let .upsampleNearest(sh, sw):
            accumulate(x0, upsampleGradient(dY: dY, batch: batch, input: input, scaleH: sh, scaleW: sw))
        case let .resizeBilinear(_, _, alignCorners, halfPixelCenters):
            // Each output value spreads back to its four taps with the forward weights.
            let rows = BilinearAxis(input: input.height, output: output.height, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
            let cols = BilinearAxis(input: input.width, output: output.width, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
            let c = input.channels
            var dX = [Float](repeating: 0, count: batch * input.count)
            for b in 0..<batch { for oy in 0..<output.height { for ox in 0..<output.width {
                let fy = rows.fraction[oy], fx = cols.fraction[ox]
                let taps = [(rows.lower[oy], cols.lower[ox], (1 - fy) * (1 - fx)), (rows.upper[oy], cols.lower[ox], fy * (1 - fx)),
                            (rows.lower[oy], cols.upper[ox], (1 - fy) * fx), (rows.upper[oy], cols.upper[ox], fy * fx)]
                let g = ((b * output.height + oy) * output.width + ox) * c
                for (iy, ix, weight) in taps {
                    let d = ((b * input.height + iy) * input.width + ix) * c
                    for k in 0..<c { dX[d + k] += dY[g + k] * weight }
                }
            } } }
            accumulate(x0, dX)
        case .softmax:
            accumulate(x0, softmaxGradient(y: values[index], dY: dY, n: output.channels))
        case let .dropout(rate):
            let mask = dropoutMask(seed: dropoutSeed, node: index, count: dY.count, rate: rate)
            accumulate(x0, zip(dY, mask).map(*))
        }
        grads[index] = nil
        values[index] = []
    }
    return StepResult(gradients: parameterGrads, loss: loss.loss, correct: loss.correct, moments: moments)
}
