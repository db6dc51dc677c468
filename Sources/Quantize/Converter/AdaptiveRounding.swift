import Q8Build
import Graph

/// The second moments of the input vectors a convolution's weight rows multiply (their im2col
/// patches), gathered on calibration images: one n × n matrix per group, n = KH·KW·Cin/groups.
/// A depthwise convolution has one per channel (n = KH·KW); a dense layer is a 1×1 convolution
/// over a 1×1 image (n = Cin).
///
/// Example: the 3×3 stem of a 28×28×1 model has one 9 × 9 matrix, summed over 784 patches per
/// image, padded taps counted as 0.
struct InputMoments {
    let conv: Conv2D
    let input: Shape
    /// Inputs per weight row.
    let n: Int
    /// Per group, the sum of the patches (n values) and of their outer products (n × n, upper
    /// triangle until `hessian` reads it).
    var sums: [[Double]]
    var products: [[Double]]
    var patches = 0
    /// Output positions sampled per image: every `step`-th, about 256.
    let step: Int
    /// Only images `0 ..< images` are gathered: as many as keep the layer's work (n² / 2
    /// multiply-adds per patch) near 2^32, at least 8,192 patches' worth.
    /// Example: a 1×1 conv from 960 channels on a 7×7 output (49 patches per image) gathers
    /// 2^33 / 960² = 9,320 patches, from 190 images.
    let images: Int

    init(conv: Conv2D, input: Shape, images: Int = 256) {
        self.conv = conv
        self.input = input
        n = conv.kernelH * conv.kernelW * input.channels / conv.groups
        sums = .init(repeating: .init(repeating: 0, count: n), count: conv.groups)
        products = .init(repeating: .init(repeating: 0, count: n * n), count: conv.groups)
        let positions = (resolveWindow(input: input.height, kernel: conv.kernelH, stride: conv.strideH, dilation: conv.dilationH,
                                       padding: conv.padding, vertical: true)?.output ?? 0)
            * (resolveWindow(input: input.width, kernel: conv.kernelW, stride: conv.strideW, dilation: conv.dilationW,
                             padding: conv.padding, vertical: false)?.output ?? 0)
        step = max(1, positions / 256)
        let perImage = max(1, (positions + step - 1) / step)
        self.images = min(images, max(1, max(8192, (1 << 33) / max(n * n, 1)) / perImage))
    }

    /// Adds the patches of the NHWC images `batch` (indices into the calibration set; those past
    /// `images` are skipped), every `step`-th output position of each.
    mutating func accumulate(_ x: UnsafeBufferPointer<Float>, batch: Range<Int>) {
        let c = conv
        guard let rows = resolveWindow(input: input.height, kernel: c.kernelH, stride: c.strideH, dilation: c.dilationH,
                                       padding: c.padding, vertical: true),
              let cols = resolveWindow(input: input.width, kernel: c.kernelW, stride: c.strideW, dilation: c.dilationW,
                                       padding: c.padding, vertical: false) else { return }
        let positions = rows.output * cols.output
        let (height, width, channels) = (input.height, input.width, input.channels)
        let cinG = channels / c.groups
        let patch = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { patch.deallocate() }
        for image in 0..<max(0, min(batch.count, images - batch.lowerBound)) {
            let base = image * input.count
            for position in stride(from: 0, to: positions, by: step) {
                let oy = position / cols.output, ox = position % cols.output
                for g in 0..<c.groups {
                    for kh in 0..<c.kernelH {
                        let iy = oy * c.strideH - rows.before + kh * c.dilationH
                        for kw in 0..<c.kernelW {
                            let ix = ox * c.strideW - cols.before + kw * c.dilationW
                            let to = patch + (kh * c.kernelW + kw) * cinG
                            if iy >= 0 && iy < height && ix >= 0 && ix < width {
                                let from = base + (iy * width + ix) * channels + g * cinG
                                for k in 0..<cinG { to[k] = Double(x[from + k]) }
                            } else {
                                to.update(repeating: 0, count: cinG)
                            }
                        }
                    }
                    add(patch, to: g)
                }
                patches += 1
            }
        }
    }

    /// These moments and `other`'s (the same layer, other images) summed.
    func adding(_ other: InputMoments) -> InputMoments {
        var sum = self
        for g in sums.indices {
            for i in 0..<n { sum.sums[g][i] += other.sums[g][i] }
            for i in 0..<(n * n) { sum.products[g][i] += other.products[g][i] }
        }
        sum.patches += other.patches
        return sum
    }

    /// Adds patch `p` (n values) to group `g`'s sums and the upper triangle of its products, four
    /// products at a time (each element gets the same double operations as one at a time).
    private mutating func add(_ p: UnsafePointer<Double>, to g: Int) {
        let n = self.n
        sums[g].withUnsafeMutableBufferPointer { s in
            products[g].withUnsafeMutableBufferPointer { m in
                let pRaw = UnsafeRawPointer(p)
                for i in 0..<n {
                    let pi = p[i]
                    s[i] += pi
                    guard pi != 0 else { continue }  // post-ReLU inputs are mostly 0
                    let row = UnsafeMutableRawPointer(m.baseAddress! + i &* n)
                    let broadcast = SIMD4<Double>(repeating: pi)
                    var j = i
                    while j &+ 4 <= n {
                        let sum = row.loadUnaligned(fromByteOffset: 8 &* j, as: SIMD4<Double>.self)
                            + broadcast * pRaw.loadUnaligned(fromByteOffset: 8 &* j, as: SIMD4<Double>.self)
                        row.storeBytes(of: sum, toByteOffset: 8 &* j, as: SIMD4<Double>.self)
                        j &+= 4
                    }
                    while j < n {
                        m[i &* n &+ j] += pi * p[j]
                        j &+= 1
                    }
                }
            }
        }
    }

    /// The n × n matrix H of group `g` whose quadratic form eᵀHe is the mean squared output error
    /// a weight error e causes: E[x xᵀ], or the covariance E[x xᵀ] − E[x]E[x]ᵀ when `centered`
    /// (bias correction takes the mean error out afterwards). Its diagonal is raised by 1 % of its
    /// mean, so inputs never seen still prefer rounding to nearest.
    func hessian(group g: Int, centered: Bool) -> [Double] {
        let count = Double(max(patches, 1))
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var v = products[g][i * n + j] / count
                if centered { v -= sums[g][i] / count * sums[g][j] / count }
                h[i * n + j] = v
                h[j * n + i] = v
            }
        }
        let damp = 0.01 * (0..<n).reduce(0) { $0 + h[$1 * n + $1] } / Double(n)
        for i in 0..<n { h[i * n + i] += max(damp, 1e-12) }
        return h
    }
}

/// Rounds `row / scale` to integers in [−127, 127], each down or up, so that the layer's output
/// error over the calibration inputs, eᵀHe with e the rounding error in steps, is as small as
/// coordinate descent finds: start from rounding to nearest, then flip any weight to its other
/// neighbour while that lowers eᵀHe (the objective of AdaRound, Nagel et al., 2020, without its
/// relaxation). Rounding each weight alone to nearest ignores that errors of correlated inputs
/// add up; this lets them cancel.
///
/// Example: two inputs that are always equal (H = [[1, 1], [1, 1]]) and weights 0.4 and 0.4
/// steps: nearest gives errors −0.4, −0.4 (eᵀHe = 0.64); rounding the second up gives −0.4,
/// +0.6 (eᵀHe = 0.04).
func roundMinimizingOutputError(_ row: ArraySlice<Float>, scale: Float, hessian h: [Double]) -> [Int8] {
    let n = row.count
    let u = row.map { Double($0 / scale) }
    var q = u.map { max(-127, min(127, $0.rounded(.toNearestOrAwayFromZero))) }
    var e = (0..<n).map { q[$0] - u[$0] }
    var g = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + h[i * n + $1] * e[$1] } }  // H e
    h.withUnsafeBufferPointer { h in
        g.withUnsafeMutableBufferPointer { g in
            for _ in 0..<100 {
                var changed = false
                for j in 0..<n {
                    let delta: Double = e[j] > 0 ? -1 : 1
                    guard abs(q[j] + delta) <= 127 else { continue }
                    // Change of eᵀHe when e[j] moves by delta.
                    guard 2 * delta * g[j] + h[j * n + j] < -1e-12 * h[j * n + j] else { continue }
                    q[j] += delta
                    e[j] += delta
                    let column = h.baseAddress! + j &* n  // H is symmetric: row j is column j
                    for i in 0..<n { g[i] += delta * column[i] }
                    changed = true
                }
                if !changed { break }
            }
        }
    }
    return q.map { Int8($0) }
}

/// The input moments of every convolution and dense layer of `lowered` (keyed by its index),
/// over the first 256 calibration images (`count` of them, normalized NHWC, in `inputs`).
func inputMoments(_ lowered: [LoweredNode], graph: Graph, inputs: [Float], count: Int,
                  progress: (Int, Int) -> Void = { _, _ in }) throws -> [Int: InputMoments] {
    var moments = [Int: InputMoments](), layersReading = [Int: [Int]]()
    for (i, node) in lowered.enumerated() {
        guard let source = node.inputs.first.map({ lowered[$0] }) else { continue }
        switch node.op {
        case let .conv(c, _, _, _):
            moments[i] = InputMoments(conv: c, input: source.shape, images: min(count, 256))
        case let .dense(weight, _, _):
            let features = source.shape.count
            moments[i] = InputMoments(conv: Conv2D(outChannels: weight.count / features, kernel: (1, 1)), input: Shape([1, 1, features]),
                                      images: min(count, 256))
        default:
            continue
        }
        layersReading[source.value, default: []].append(i)
    }
    let images = moments.values.map(\.images).max() ?? 0
    let lanes = observeInParallel(try FloatExecutor(graph), inputs: inputs, count: images, progress: { progress($0, images) },
                                  start: { moments }) { (moments: inout [Int: InputMoments], batch, node, values) in
        for layer in layersReading[node] ?? [] { moments[layer]!.accumulate(values, batch: batch) }
    }
    return lanes[0].merging(lanes.dropFirst().flatMap { $0 }) { $0.adding($1) }
}
