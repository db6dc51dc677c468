import Graph
import Runtime

/// One weight tensor quantized per output channel: int8 weights symmetric in [−127, 127]
/// (`scales[c]` = largest |w| of row c / 127), the bias in int32 at input scale · weight scale,
/// and TFLite's requantization multiplier and shift per channel.
///
/// Example: a row [0.5, −1.27] with input scale 0.02, output scale 0.1 and bias 0.3 gets scale
/// 0.01, weights [50, −127], bias 0.3 / 0.0002 = 1500 and multiplier 0.002 (2^30·1.049…, shift −9).
struct ChannelQuantization {
    var weights: [Int8]
    var scales: [Float]
    var bias: [Int32]
    var multipliers: [Int32]
    var shifts: [Int32]
}

/// Quantizes `weight` (`channels` rows, OHWI or [N, K]) per row. With `hessians` (one per row,
/// from `InputMoments`) each row is rounded to minimize its output error, else to nearest; with
/// `inputMean` (the calibration mean of the input that weight `k` of row `c` reads) the bias
/// also absorbs the mean error rounding causes, Σ (w − ŵ) · E[x] (Nagel et al. 2019, §4.2).
func quantizeChannels(_ weight: [Float], bias: [Float], channels: Int, input: AffineQuantization, output: AffineQuantization,
                      hessians: ((Int) -> [Double])?, inputMean: ((Int, Int) -> Double)?) -> ChannelQuantization {
    let per = weight.count / channels
    var scales = [Float](), weights = [Int8](), corrected = bias
    weights.reserveCapacity(weight.count)
    for c in 0..<channels {
        let row = weight[(c * per)..<((c + 1) * per)]
        let largest = row.map { abs($0) }.max() ?? 0
        let s = largest > 0 ? largest / 127 : 1
        scales.append(s)
        let q = hessians.map { roundMinimizingOutputError(row, scale: s, hessian: $0(c)) }
            ?? row.map { Int8(max(-127, min(127, ($0 / s).rounded(.toNearestOrAwayFromZero)))) }
        if let inputMean {
            var shift = 0.0
            for (k, (w, wq)) in zip(row, q).enumerated() { shift += (Double(w) - Double(wq) * Double(s)) * inputMean(c, k) }
            corrected[c] += Float(shift)
        }
        weights += q
    }
    let biasQ = (0..<channels).map { c -> Int32 in
        let v = (Double(corrected[c]) / (Double(input.scale) * Double(scales[c]))).rounded(.toNearestOrAwayFromZero)
        return Int32(max(Double(Int32.min), min(Double(Int32.max), v)))
    }
    let (m, s) = channelMultipliers(inputScale: input.scale, weightScales: scales, outputScale: output.scale)
    return ChannelQuantization(weights: weights, scales: scales, bias: biasQ, multipliers: m, shifts: s)
}

/// Emits one model.q8 op per lowered node (TFLM's prepare step, done offline): each output
/// tensor with its group's quantization, conv and dense weights through `quantizeChannels`
/// (with their packed copy when `options.packWeights`), pools, concatenation, pad, shuffle,
/// reshape and resize as byte copies, ADD/mean/softmax parameters as TFLite derives them, and
/// nonlinearities and requantizing copies as 256-entry tables. Returns the program and what
/// each layer's output stands for.
func emitProgram(_ lowered: [LoweredNode], ranges: ActivationRanges, statistics: ActivationStatistics, moments: [Int: InputMoments],
                 model: Model, graph: Graph, options: ConversionOptions) -> (Q8Program, [LayerQuantization]) {
    var program = Q8Program()
    program.labels = model.labels
    program.normalizationMean = model.normalization.mean
    program.normalizationStd = model.normalization.std
    var tensorOf: [Int] = []
    var layers: [LayerQuantization] = []
    for (i, node) in lowered.enumerated() {
        let q = ranges.quantization(i)
        let y = program.activation(node.shape.dims, q)
        tensorOf.append(y)
        layers.append(LayerQuantization(name: node.name, op: node.op.name,
                                        floatNode: node.value, tensor: y, quantization: q, observed: statistics.range(node.value, .minmax)))
        let xs = node.inputs.map { tensorOf[$0] }
        let inQ = node.inputs.first.map { ranges.quantization($0) } ?? q
        let inShape = node.inputs.first.map { lowered[$0].shape } ?? node.shape
        let clampOf = { (a: FusedActivation) in a.range(scale: q.scale, zeroPoint: Int32(q.zeroPoint)) }
        let hessians: ((Int) -> [Double])? = moments[i].map { m in
            let perGroup = (0..<m.conv.groups).map { m.hessian(group: $0, centered: options.biasCorrection) }
            let channels = m.conv.outChannels
            return { c in perGroup[c * perGroup.count / channels] }
        }

        /// The conv/dense inputs after the activation: filter (through `reorder`), multipliers, shifts, bias.
        func channelInputs(_ weight: [Float], bias: [Float], channels: Int, filterShape: [Int],
                           inputMean: ((Int, Int) -> Double)?, reorder: (([Int8]) -> [Int8])? = nil) -> [Int?] {
            let c = quantizeChannels(weight, bias: bias, channels: channels, input: inQ, output: q, hessians: hessians,
                                     inputMean: options.biasCorrection ? inputMean : nil)
            let biasTensor = program.constant(c.bias, shape: [channels])
            layers[layers.count - 1].bias = (biasTensor, c.scales.map { Double(inQ.scale) * Double($0) })
            return [xs[0], program.constant(reorder?(c.weights) ?? c.weights, shape: filterShape),
                    program.constant(c.multipliers, shape: [channels]), program.constant(c.shifts, shape: [channels]), biasTensor]
        }

        switch node.op {
        case .input:
            program.inputs = [y]
        case let .conv(c, weight, bias, activation):
            let rows = resolveWindow(input: inShape.height, kernel: c.kernelH, stride: c.strideH, dilation: c.dilationH, padding: c.padding, vertical: true)!
            let cols = resolveWindow(input: inShape.width, kernel: c.kernelW, stride: c.strideW, dilation: c.dilationW, padding: c.padding, vertical: false)!
            let clamp = clampOf(activation)
            let cin = inShape.channels
            let isDepthwise = c.groups == cin
            let taps = c.kernelH * c.kernelW
            let means = statistics.channelMeans[lowered[node.inputs[0]].value]
            let cinG = cin / c.groups, coutG = c.outChannels / c.groups
            let mean = { (o: Int, k: Int) in means[(o / coutG) * cinG + k % cinG] }
            var inputs = isDepthwise
                ? channelInputs(weight, bias: bias, channels: c.outChannels, filterShape: [c.kernelH, c.kernelW, c.outChannels],
                                inputMean: mean) { w in
                    // OHWI [Cout, KH, KW, 1] → [KH, KW, Cout]
                    (0..<w.count).map { k in w[(k % c.outChannels) * taps + k / c.outChannels] }
                }
                : channelInputs(weight, bias: bias, channels: c.outChannels,
                                filterShape: [c.outChannels, c.kernelH, c.kernelW, cin / c.groups], inputMean: mean)
            if options.packWeights && !isDepthwise {
                inputs.append(program.packedCopy(ofConvFilter: inputs[Conv2DOp.Input.filter]!, groups: c.groups))
            }
            program.add(isDepthwise ? .depthwiseConv2d : .conv2d, inputs, output: y,
                        parameters: Conv2DOp.words(kernelH: c.kernelH, kernelW: c.kernelW, strideH: c.strideH, strideW: c.strideW,
                                                   dilationH: c.dilationH, dilationW: c.dilationW, padTop: rows.before, padLeft: cols.before,
                                                   groups: c.groups, activationMin: clamp.min, activationMax: clamp.max), name: node.name)
        case let .transposedConv(t, weight, bias, activation):
            let clamp = clampOf(activation)
            let (top, left) = t.paddingBefore
            let inputs = channelInputs(weight, bias: bias, channels: t.outChannels,
                                       filterShape: [t.outChannels, t.kernelH, t.kernelW, inShape.channels], inputMean: nil)
            program.add(.transposeConv2d, inputs, output: y,
                        parameters: TransposeConv2DOp.words(kernelH: t.kernelH, kernelW: t.kernelW, strideH: t.strideH, strideW: t.strideW,
                                                            padTop: top, padLeft: left, activationMin: clamp.min, activationMax: clamp.max),
                        scratch: program.scratch(node.shape.count), name: node.name)
        case let .dense(weight, bias, activation):
            let clamp = clampOf(activation)
            let n = node.shape.count
            let means = statistics.channelMeans[lowered[node.inputs[0]].value]
            program.add(.fullyConnected, channelInputs(weight, bias: bias, channels: n, filterShape: [n, inShape.count],
                                                       inputMean: { _, k in means[k % means.count] }), output: y,
                        parameters: [clamp.min, clamp.max], name: node.name)
        case let .add(activation):
            let p = addParams(input1: ranges.quantization(node.inputs[0]), input2: ranges.quantization(node.inputs[1]), output: q,
                              activation: activation)
            program.add(.add, xs, output: y, parameters: AddOp.words(p), name: node.name)
        case let .maxPool(p), let .averagePool(p):
            let rows = resolveWindow(input: inShape.height, kernel: p.kernelH, stride: p.strideH, dilation: 1, padding: p.padding, vertical: true)!
            let cols = resolveWindow(input: inShape.width, kernel: p.kernelW, stride: p.strideW, dilation: 1, padding: p.padding, vertical: false)!
            let isMax: Bool
            if case .maxPool = node.op { isMax = true } else { isMax = false }
            program.add(isMax ? .maxPool2d : .averagePool2d, xs, output: y,
                        parameters: Pool2DOp.words(kernelH: p.kernelH, kernelW: p.kernelW, strideH: p.strideH, strideW: p.strideW,
                                                   padTop: rows.before, padLeft: cols.before), name: node.name)
        case .mean:
            let p = meanParams(input: ImageShape(height: inShape.height, width: inShape.width, channels: inShape.channels),
                               inputQuantization: inQ, outputQuantization: q)
            program.add(.mean, xs, output: y, parameters: MeanOp.words(p), name: node.name)
        case .concat:
            program.add(.concatenation, xs, output: y, name: node.name)
        case let .channelShuffle(groups):
            program.add(.channelShuffle, xs, output: y, parameters: [Int32(groups)], name: node.name)
        case .reshape:
            program.add(.reshape, xs, output: y, name: node.name)
        case let .pad(top, left):
            program.add(.pad, xs, output: y, parameters: [Int32(top), Int32(left)], name: node.name)
        case .upsample:
            let rows = nearestSourceIndices(input: inShape.height, output: node.shape.height, alignCorners: false, halfPixelCenters: false)
            let cols = nearestSourceIndices(input: inShape.width, output: node.shape.width, alignCorners: false, halfPixelCenters: false)
            program.add(.resizeNearest, [xs[0], program.constant(rows, shape: [rows.count]), program.constant(cols, shape: [cols.count])],
                        output: y, name: node.name)
        case .softmax:
            let depth = node.shape.channels
            let p = softmaxParams(beta: 1, inputScale: inQ.scale, rows: node.shape.count / depth, depth: depth)
            program.add(.softmax, xs, output: y, parameters: SoftmaxOp.words(p), name: node.name)
        case let .lookup(a):
            let table = lookupTable(input: inQ, output: q) { Double(a.apply(Float($0))) }
            program.add(.lookup, [xs[0], program.constant(table, shape: [256])], output: y, name: node.name)
        case .requantize:
            let table = lookupTable(input: inQ, output: q) { $0 }
            program.add(.lookup, [xs[0], program.constant(table, shape: [256])], output: y, name: node.name)
        }
    }
    let outputLowered = lowered.lastIndex { $0.value == graph.output } ?? lowered.count - 1
    program.outputs = [tensorOf[outputLowered]]
    return (program, layers)
}
