import Q8Build
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
    if let input = model.inputLayout, let output = model.outputLayout {
        program.boundaryLayouts = [(input.dims, input.order), (output.dims, output.order)]
    }
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

        /// The conv/dense constants: filter (through `reorder`), multipliers, shifts, bias.
        func channelConstants(_ weight: [Float], bias: [Float], channels: Int, filterShape: [Int],
                              inputMean: ((Int, Int) -> Double)?, reorder: (([Int8]) -> [Int8])? = nil)
            -> (filter: Int, multipliers: Int, shifts: Int, bias: Int) {
            let c = quantizeChannels(weight, bias: bias, channels: channels, input: inQ, output: q, hessians: hessians,
                                     inputMean: options.biasCorrection ? inputMean : nil)
            let biasTensor = program.constant(c.bias, shape: [channels])
            layers[layers.count - 1].bias = (biasTensor, c.scales.map { Double(inQ.scale) * Double($0) })
            return (program.constant(reorder?(c.weights) ?? c.weights, shape: filterShape),
                    program.constant(c.multipliers, shape: [channels]), program.constant(c.shifts, shape: [channels]), biasTensor)
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
            let window = ConvWindow(stride: (c.strideH, c.strideW), dilation: (c.dilationH, c.dilationW), padTop: rows.before,
                                    padLeft: cols.before)
            if isDepthwise {
                let k = channelConstants(weight, bias: bias, channels: c.outChannels, filterShape: [c.kernelH, c.kernelW, c.outChannels],
                                         inputMean: mean) { w in
                    // OHWI [Cout, KH, KW, 1] → [KH, KW, Cout]
                    (0..<w.count).map { k in w[(k % c.outChannels) * taps + k / c.outChannels] }
                }
                program.depthwiseConv2d(xs[0], filter: k.filter, multipliers: k.multipliers, shifts: k.shifts, bias: k.bias,
                                        window: window, clamp: clamp, output: y, name: node.name)
            } else {
                let k = channelConstants(weight, bias: bias, channels: c.outChannels,
                                         filterShape: [c.outChannels, c.kernelH, c.kernelW, cin / c.groups], inputMean: mean)
                let packed = options.packWeights ? program.packedCopy(ofConvFilter: k.filter, groups: c.groups) : nil
                program.conv2d(xs[0], filter: k.filter, multipliers: k.multipliers, shifts: k.shifts, bias: k.bias, packedFilter: packed,
                               window: window, groups: c.groups, clamp: clamp, output: y, name: node.name)
            }
        case let .transposedConv(t, weight, bias, activation):
            let clamp = clampOf(activation)
            let (top, left) = t.paddingBefore
            let k = channelConstants(weight, bias: bias, channels: t.outChannels,
                                     filterShape: [t.outChannels, t.kernelH, t.kernelW, inShape.channels], inputMean: nil)
            program.transposeConv2d(xs[0], filter: k.filter, multipliers: k.multipliers, shifts: k.shifts, bias: k.bias,
                                    stride: (t.strideH, t.strideW), padTop: top, padLeft: left, clamp: clamp, output: y, name: node.name)
        case let .dense(weight, bias, activation):
            let clamp = clampOf(activation)
            let n = node.shape.count
            let means = statistics.channelMeans[lowered[node.inputs[0]].value]
            let k = channelConstants(weight, bias: bias, channels: n, filterShape: [n, inShape.count],
                                     inputMean: { _, k in means[k % means.count] })
            program.fullyConnected(xs[0], filter: k.filter, multipliers: k.multipliers, shifts: k.shifts, bias: k.bias, clamp: clamp,
                                   output: y, name: node.name)
        case let .add(activation):
            let p = addParams(input1: ranges.quantization(node.inputs[0]), input2: ranges.quantization(node.inputs[1]), output: q,
                              activation: activation)
            program.add(xs[0], xs[1], p, output: y, name: node.name)
        case let .mul(activation):
            let p = mulParams(input1: ranges.quantization(node.inputs[0]), input2: ranges.quantization(node.inputs[1]), output: q,
                              clamp: activation.range(scale: q.scale, zeroPoint: Int32(q.zeroPoint)))
            program.mul(xs[0], xs[1], p, output: y, name: node.name)
        case let .maxPool(p), let .averagePool(p):
            let rows = resolveWindow(input: inShape.height, kernel: p.kernelH, stride: p.strideH, dilation: 1, padding: p.padding, vertical: true)!
            let cols = resolveWindow(input: inShape.width, kernel: p.kernelW, stride: p.strideW, dilation: 1, padding: p.padding, vertical: false)!
            let isMax: Bool
            if case .maxPool = node.op { isMax = true } else { isMax = false }
            program.pool2d(xs[0], average: !isMax, kernel: (p.kernelH, p.kernelW),
                           window: ConvWindow(stride: (p.strideH, p.strideW), padTop: rows.before, padLeft: cols.before), output: y,
                           name: node.name)
        case .mean:
            let p = meanParams(input: ImageShape(height: inShape.height, width: inShape.width, channels: inShape.channels),
                               inputQuantization: inQ, outputQuantization: q)
            program.mean(xs[0], p, output: y, name: node.name)
        case .concat:
            program.concatenation(xs, output: y, name: node.name)
        case let .channelShuffle(groups):
            program.channelShuffle(xs[0], groups: groups, output: y, name: node.name)
        case .reshape:
            program.reshape(xs[0], output: y, name: node.name)
        case let .pad(top, left):
            program.pad(xs[0], top: top, left: left, fill: Int8(program.tensors[y].quantization!.zeroPoint), output: y, name: node.name)
        case .upsample:
            let rows = nearestSourceIndices(input: inShape.height, output: node.shape.height, alignCorners: false, halfPixelCenters: false)
            let cols = nearestSourceIndices(input: inShape.width, output: node.shape.width, alignCorners: false, halfPixelCenters: false)
            program.resizeNearest(xs[0], rows: rows, cols: cols, output: y, name: node.name)
        case let .resizeBilinear(a, p):
            let rows = bilinearTaps(input: inShape.height, output: node.shape.height, alignCorners: a, halfPixelCenters: p)
            let cols = bilinearTaps(input: inShape.width, output: node.shape.width, alignCorners: a, halfPixelCenters: p)
            program.resizeBilinear(xs[0], rows: rows, cols: cols, output: y, name: node.name)
        case .softmax:
            let depth = node.shape.channels
            let p = softmaxParams(beta: 1, inputScale: inQ.scale, rows: node.shape.count / depth, depth: depth)
            program.softmax(xs[0], p, output: y, name: node.name)
        case let .lookup(a):
            let table = lookupTable(input: inQ, output: q) { Double(a.apply(Float($0))) }
            program.lookup(xs[0], table: table, output: y, name: node.name)
        case .requantize:
            let table = lookupTable(input: inQ, output: q) { $0 }
            program.lookup(xs[0], table: table, output: y, name: node.name)
        }
    }
    let outputLowered = lowered.lastIndex { $0.value == graph.output } ?? lowered.count - 1
    program.outputs = [tensorOf[outputLowered]]
    return (program, layers)
}
