import Graph
import Runtime

/// Per-layer facts of a conversion, for reports.
public struct LayerQuantization: Sendable {
    public var name: String
    public var op: String
    /// The float node whose output the layer's int8 output stands for.
    public var floatNode: Int
    public var tensor: Int
    public var quantization: AffineQuantization
    /// The observed float range before it was widened to hold 0 (and shared).
    public var observed: (min: Float, max: Float)
    /// For conv and dense layers: the int32 bias tensor and each channel's bias scale
    /// (input scale · weight scale).
    public var bias: (tensor: Int, scales: [Double])?
}

public struct Conversion: Sendable {
    public var program: Q8Program
    public var layers: [LayerQuantization]
    /// The float graph the program stands for: the model's, or its equalized rewrite.
    public var floatGraph: Graph
    /// Convolution pairs cross-layer equalization rescaled (0 without `equalize`).
    public var equalizedPairs: Int
    /// Channel classes activation equalization rescaled (0 without `equalizeActivations`).
    public var equalizedClasses: Int
}

/// Converts a float model to an int8 program (TFLite-compatible arithmetic):
///
/// 1. lowers the graph (batch norm folded, ReLU/ReLU6 fused, dropout dropped, see `lower`);
/// 2. runs the float graph over the calibration inputs and takes each output's range by `method`;
/// 3. gives ops that copy or compare bytes (pools, concat, pad, shuffle, reshape, resize) one
///    quantization shared with their inputs, over the union of the ranges (an input that other
///    ops read too gets a requantizing lookup first, `requantizingSharedInputs`); the model input gets
///    the exact range of normalized pixels, softmax outputs scale 1/256 and zero point −128;
/// 4. quantizes weights per output channel, symmetric in [−127, 127]; biases to int32 at
///    `inputScale · weightScale[c]`; requantization as TFLite's `QuantizeMultiplier`;
/// 5. emits one model.q8 op per lowered node, nonlinearities as 256-entry tables.
///
/// `calibration` holds `count` inputs, already normalized, NHWC.
///
/// With `biasCorrection`, each channel's bias also absorbs the mean error that weight rounding
/// causes, `Σ (W − Ŵ) · E[x]`, with `E[x]` the mean of each input channel over the calibration
/// images (Nagel et al., Data-Free Quantization, 2019, §4.2, measured on data); then the mean
/// output error that remains, activation rounding included, is measured on the calibration
/// images layer by layer and taken out of the biases too (`correctBiasesOnData`).
///
/// With `equalize`, consecutive convolutions are first rescaled channel by channel so their
/// weight ranges match (`equalizeCrossLayer`); with `equalizeActivations`, the channels that can
/// be rescaled without changing the function are widened until each fills one of the
/// quantization groups it passes through, the convolutions reading them taking the inverse
/// (`equalizeActivationRanges`). Calibration observes the rescaled graph.
///
/// With `searchRanges`, each group's range then tries a few narrower and wider clippings and keeps
/// the one that brings the model's output closest to float (`searchRangesForOutput`). With
/// `adaptiveRounding`, each weight row is rounded up or down so as to minimize the layer's output
/// error on the calibration images rather than each weight's own (`roundMinimizingOutputError`).
/// `progress` hears how many of `2 · count` calibration images have run.
///
/// With `packWeights`, every standard or grouped convolution also carries its filter in the
/// `convQuads8` layout (input 5), which the x86-64 GEMM kernels (AVX2, AVX-VNNI) read; the plain filter stays for
/// the reference and the other kernels, so the model runs everywhere and is bigger by that copy.
public func convert(_ model: Model, calibration: [Float], count: Int, method: CalibrationMethod = .percentile,
                    biasCorrection: Bool = true, equalize: Bool = false, equalizeActivations: Bool = true,
                    adaptiveRounding: Bool = true, searchRanges: Bool = true, packWeights: Bool = false,
                    progress: (Int) -> Void = { _ in }) throws -> Conversion {
    let (equalized, pairs) = equalize ? equalizeCrossLayer(model.graph) : (model.graph, 0)
    var graph = equalized
    var activationClasses = 0
    if equalizeActivations {
        let groups = floatNodeGroups(requantizingSharedInputs(try lower(graph)))
        let ranges = try channelAbsoluteMaxima(graph, nodes: Set(groups.joined()), inputs: calibration, count: count)
        (graph, activationClasses) = try equalizeActivationRanges(graph, channelRanges: ranges, groups: groups)
    }
    let lowered = requantizingSharedInputs(try lower(graph))
    let stats = try ActivationStatistics(graph: graph, inputs: calibration, count: count, progress: progress)
    let moments = adaptiveRounding ? try inputMoments(lowered, graph: graph, inputs: calibration, count: count) : [:]

    let roots = quantizationGroups(lowered)
    func root(_ i: Int) -> Int { roots[i] }
    let channels = graph.inputShape.channels
    let inputRange = (
        (0..<channels).map { (0 - model.normalization.mean[$0]) / model.normalization.std[$0] }.min()!,
        (0..<channels).map { (1 - model.normalization.mean[$0]) / model.normalization.std[$0] }.max()!)
    var groupRange = [Int: (Float, Float)](), groupFixed = [Int: AffineQuantization]()
    for (i, node) in lowered.enumerated() {
        let g = root(i)
        switch node.op {
        case .input:
            groupFixed[g] = AffineQuantization(minimum: inputRange.0, maximum: inputRange.1)
        case .softmax:
            groupFixed[g] = AffineQuantization(scale: 1.0 / 256, zeroPoint: -128)
        default:
            let r = stats.range(node.value, method)
            let old = groupRange[g] ?? (r.0, r.1)
            groupRange[g] = (min(old.0, r.0), max(old.1, r.1))
        }
    }
    if searchRanges {
        // One shared range per group, in graph order; a requantizing node's float value is its
        // input's, which belongs to the input's group. The input's range is simulated, not searched.
        var members = [Int: [Int]]()
        for (i, node) in lowered.enumerated() {
            if case .requantize = node.op { continue }
            members[root(i), default: []].append(i)
        }
        var shared = [SharedRange](), groups = [Int]()
        for g in members.keys.sorted(by: { members[$0]![0] < members[$1]![0] }) {
            let isInput = members[g]!.contains { if case .input = lowered[$0].op { true } else { false } }
            guard isInput || groupFixed[g] == nil, let range = isInput ? inputRange : groupRange[g] else { continue }
            let nodes = members[g]!.map { lowered[$0].value }, observed = nodes.map { stats.range($0, .minmax) }
            shared.append(SharedRange(nodes: nodes, range: range, observed: (observed.map(\.0).min()!, observed.map(\.1).max()!),
                                      fixed: isInput))
            groups.append(g)
        }
        let searched = try searchRangesForOutput(shared, graph: graph, inputs: calibration, count: count)
        for (g, result) in zip(groups, searched) where !result.fixed { groupRange[g] = result.range }
    }
    func quantization(_ i: Int) -> AffineQuantization {
        let g = root(i)
        if let fixed = groupFixed[g] { return fixed }
        let r = groupRange[g] ?? (0, 0)
        return AffineQuantization(minimum: r.0, maximum: r.1)
    }

    var program = Q8Program()
    program.labels = model.labels
    program.normalizationMean = model.normalization.mean
    program.normalizationStd = model.normalization.std
    var tensorOf: [Int] = []
    var layers: [LayerQuantization] = []
    for (i, node) in lowered.enumerated() {
        let q = quantization(i)
        let y = program.activation(node.shape.dims, q)
        tensorOf.append(y)
        let r = stats.range(node.value, .minmax)
        layers.append(LayerQuantization(name: node.name, op: "\(node.op)".components(separatedBy: "(").first ?? "",
                                        floatNode: node.value, tensor: y, quantization: q, observed: r))
        let xs = node.inputs.map { tensorOf[$0] }
        let inQ = node.inputs.first.map { quantization($0) } ?? q
        let inShape = node.inputs.first.map { lowered[$0].shape } ?? node.shape
        let clampOf = { (a: FusedActivation) in a.range(scale: q.scale, zeroPoint: Int32(q.zeroPoint)) }

        /// Quantizes `weight` (`channels` rows) per row and adds the requantization constants.
        /// `inputMean(k)` is the calibration mean of the input feeding weight `k` of a row.
        func channelConstants(_ weight: [Float], bias: [Float], channels: Int, filterShape: [Int],
                              inputMean: ((Int, Int) -> Double)? = nil, reorder: (([Int8]) -> [Int8])? = nil) -> [Int?] {
            let per = weight.count / channels
            var scales = [Float](), qweights = [Int8](), corrected = bias
            let hessians = moments[i].map { m in (0..<m.conv.groups).map { m.hessian(group: $0, centered: biasCorrection) } }
            for c in 0..<channels {
                let row = weight[(c * per)..<((c + 1) * per)]
                let largest = row.map { abs($0) }.max() ?? 0
                let s = largest > 0 ? largest / 127 : 1
                scales.append(s)
                let q = hessians.map { roundMinimizingOutputError(row, scale: s, hessian: $0[c * $0.count / channels]) }
                    ?? row.map { Int8(max(-127, min(127, ($0 / s).rounded(.toNearestOrAwayFromZero)))) }
                if biasCorrection, let inputMean {
                    var shift = 0.0
                    for (k, (w, wq)) in zip(row, q).enumerated() { shift += (Double(w) - Double(wq) * Double(s)) * inputMean(c, k) }
                    corrected[c] += Float(shift)
                }
                qweights += q
            }
            let biasQ = (0..<channels).map { c -> Int32 in
                let v = (Double(corrected[c]) / (Double(inQ.scale) * Double(scales[c]))).rounded(.toNearestOrAwayFromZero)
                return Int32(max(Double(Int32.min), min(Double(Int32.max), v)))
            }
            let (m, s) = channelMultipliers(inputScale: inQ.scale, weightScales: scales, outputScale: q.scale)
            let biasTensor = program.constant(biasQ, shape: [channels])
            layers[layers.count - 1].bias = (biasTensor, scales.map { Double(inQ.scale) * Double($0) })
            return [xs[0], program.constant(reorder?(qweights) ?? qweights, shape: filterShape), program.constant(m, shape: [channels]),
                    program.constant(s, shape: [channels]), biasTensor]
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
            let means = stats.channelMeans[lowered[node.inputs[0]].value]
            let cinG = cin / c.groups, coutG = c.outChannels / c.groups
            let mean = { (o: Int, k: Int) in means[(o / coutG) * cinG + k % cinG] }
            var inputs = isDepthwise
                ? channelConstants(weight, bias: bias, channels: c.outChannels, filterShape: [c.kernelH, c.kernelW, c.outChannels],
                                   inputMean: mean) { w in
                    // OHWI [Cout, KH, KW, 1] → [KH, KW, Cout]
                    (0..<w.count).map { k in w[(k % c.outChannels) * taps + k / c.outChannels] }
                }
                : channelConstants(weight, bias: bias, channels: c.outChannels,
                                   filterShape: [c.outChannels, c.kernelH, c.kernelW, cin / c.groups], inputMean: mean)
            if packWeights && !isDepthwise {
                inputs.append(program.packedCopy(ofConvFilter: inputs[Conv2DOp.Input.filter]!, groups: c.groups))
            }
            program.add(isDepthwise ? .depthwiseConv2d : .conv2d, inputs, output: y,
                        parameters: Conv2DOp.words(kernelH: c.kernelH, kernelW: c.kernelW, strideH: c.strideH, strideW: c.strideW,
                                                   dilationH: c.dilationH, dilationW: c.dilationW, padTop: rows.before, padLeft: cols.before,
                                                   groups: c.groups, activationMin: clamp.min, activationMax: clamp.max), name: node.name)
        case let .transposedConv(t, weight, bias, activation):
            let clamp = clampOf(activation)
            let (top, left) = t.paddingBefore
            let inputs = channelConstants(weight, bias: bias, channels: t.outChannels,
                                          filterShape: [t.outChannels, t.kernelH, t.kernelW, inShape.channels])
            program.add(.transposeConv2d, inputs, output: y,
                        parameters: TransposeConv2DOp.words(kernelH: t.kernelH, kernelW: t.kernelW, strideH: t.strideH, strideW: t.strideW,
                                                            padTop: top, padLeft: left, activationMin: clamp.min, activationMax: clamp.max),
                        scratch: program.scratch(node.shape.count), name: node.name)
        case let .dense(weight, bias, activation):
            let clamp = clampOf(activation)
            let n = node.shape.count
            let means = stats.channelMeans[lowered[node.inputs[0]].value]
            program.add(.fullyConnected, channelConstants(weight, bias: bias, channels: n, filterShape: [n, inShape.count],
                                                          inputMean: { _, k in means[k % means.count] }), output: y,
                        parameters: [clamp.min, clamp.max], name: node.name)
        case let .add(activation):
            let p = addParams(input1: quantization(node.inputs[0]), input2: quantization(node.inputs[1]), output: q, activation: activation)
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
    if biasCorrection { try correctBiasesOnData(&program, layers: layers, graph: graph, inputs: calibration, count: count) }
    return Conversion(program: program, layers: layers, floatGraph: graph, equalizedPairs: pairs, equalizedClasses: activationClasses)
}

/// For each lowered node, the node that stands for its quantization group: ops that copy or
/// compare bytes (`sharesInputQuantization`) share their inputs' quantization.
func quantizationGroups(_ lowered: [LoweredNode]) -> [Int] {
    var parent = Array(lowered.indices)
    func root(_ i: Int) -> Int { parent[i] == i ? i : root(parent[i]) }
    for (i, node) in lowered.enumerated() where node.op.sharesInputQuantization {
        for input in node.inputs { parent[root(input)] = root(i) }
    }
    return lowered.indices.map(root)
}

/// The float nodes whose values each quantization group of `lowered` stands for.
func floatNodeGroups(_ lowered: [LoweredNode]) -> [[Int]] {
    let roots = quantizationGroups(lowered)
    return Dictionary(grouping: lowered.indices, by: { roots[$0] }).values.map { $0.map { lowered[$0].value } }
}
