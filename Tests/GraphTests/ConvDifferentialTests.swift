import Testing
@testable import Graph

/// The im2col + GEMM and depthwise paths of the float executor against a naive convolution,
/// over many random shapes, strides, paddings, dilations, groups and batch sizes.
@Suite struct ConvDifferentialTests {
    /// Seven nested loops, straight from the definition.
    func naiveConv(_ x: [Float], batch: Int, input: Shape, _ c: Conv2D, weight: [Float], bias: [Float]) -> [Float] {
        let rows = resolveWindow(input: input.height, kernel: c.kernelH, stride: c.strideH, dilation: c.dilationH,
                                 padding: c.padding, vertical: true)!
        let cols = resolveWindow(input: input.width, kernel: c.kernelW, stride: c.strideW, dilation: c.dilationW,
                                 padding: c.padding, vertical: false)!
        let cinG = input.channels / c.groups, coutG = c.outChannels / c.groups
        var y: [Float] = []
        for b in 0..<batch {
            for oy in 0..<rows.output {
                for ox in 0..<cols.output {
                    for o in 0..<c.outChannels {
                        let g = o / coutG
                        var sum = bias[o]
                        for ky in 0..<c.kernelH {
                            for kx in 0..<c.kernelW {
                                let iy = oy * c.strideH - rows.before + ky * c.dilationH
                                let ix = ox * c.strideW - cols.before + kx * c.dilationW
                                guard iy >= 0, iy < input.height, ix >= 0, ix < input.width else { continue }
                                for ci in 0..<cinG {
                                    let xv = x[((b * input.height + iy) * input.width + ix) * input.channels + g * cinG + ci]
                                    sum += xv * weight[((o * c.kernelH + ky) * c.kernelW + kx) * cinG + ci]
                                }
                            }
                        }
                        y.append(sum)
                    }
                }
            }
        }
        return y
    }

    @Test func randomConvolutionsMatchNaiveLoops() throws {
        var rng = SeededRandom(seed: 42)
        var compared = 0
        for _ in 0..<400 {
            let groups = [1, 1, 2, 3, 4][Int.random(in: 0..<5, using: &rng)]
            let depthwise = Bool.random(using: &rng)
            let cin = depthwise ? Int.random(in: 1...9, using: &rng) : groups * Int.random(in: 1...6, using: &rng)
            let g = depthwise ? cin : groups
            let cout = g * Int.random(in: 1...(depthwise ? 3 : 11), using: &rng)
            let k = (Int.random(in: 1...5, using: &rng), Int.random(in: 1...5, using: &rng))
            let s = (Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng))
            let d = (Int.random(in: 1...3, using: &rng), Int.random(in: 1...2, using: &rng))
            let padding: Padding = [.same, .valid,
                                    .explicit(top: Int.random(in: 0...2, using: &rng), left: Int.random(in: 0...2, using: &rng),
                                              bottom: Int.random(in: 0...2, using: &rng), right: Int.random(in: 0...2, using: &rng))
            ][Int.random(in: 0..<3, using: &rng)]
            let input = Shape([Int.random(in: 1...12, using: &rng), Int.random(in: 1...12, using: &rng), cin])
            let conv = Conv2D(outChannels: cout, kernel: k, stride: s, dilation: d, padding: padding, groups: g)
            guard resolveWindow(input: input.height, kernel: k.0, stride: s.0, dilation: d.0, padding: padding, vertical: true) != nil,
                  resolveWindow(input: input.width, kernel: k.1, stride: s.1, dilation: d.1, padding: padding, vertical: false) != nil
            else { continue }
            let batch = Int.random(in: 1...3, using: &rng)
            let weight = (0..<(cout * k.0 * k.1 * cin / g)).map { _ in Float.random(in: -1...1, using: &rng) }
            let bias = (0..<cout).map { _ in Float.random(in: -1...1, using: &rng) }
            let x = (0..<(batch * input.count)).map { _ in Float.random(in: -1...1, using: &rng) }
            let y = try runSingleOp(.conv2d(conv), input: input, x, batch: batch,
                                    parameters: [Tensor(shape: [cout, k.0, k.1, cin / g], data: weight), Tensor(shape: [cout], data: bias)])
            let expected = naiveConv(x, batch: batch, input: input, conv, weight: weight, bias: bias)
            #expect(close(y, expected), "conv \(conv) on \(input) batch \(batch)")
            compared += 1
        }
        #expect(compared >= 250, "only \(compared) random convolutions fitted their inputs")
    }

    @Test func largePointwiseAndDenseMatchNaiveLoops() throws {
        // Shapes larger than the im2col chunk and not multiples of the GEMM tile.
        var rng = SeededRandom(seed: 7)
        let input = Shape([17, 19, 37])
        let conv = Conv2D(outChannels: 43, kernel: (1, 1))
        let weight = (0..<(43 * 37)).map { _ in Float.random(in: -1...1, using: &rng) }
        let bias = (0..<43).map { _ in Float.random(in: -1...1, using: &rng) }
        let x = (0..<(2 * input.count)).map { _ in Float.random(in: -1...1, using: &rng) }
        let y = try runSingleOp(.conv2d(conv), input: input, x, batch: 2,
                                parameters: [Tensor(shape: [43, 1, 1, 37], data: weight), Tensor(shape: [43], data: bias)])
        #expect(close(y, naiveConv(x, batch: 2, input: input, conv, weight: weight, bias: bias)))

        // Dense over a flattened image: y[o] = bias[o] + Σ w[o, i] · x[i].
        let graph = Graph(nodes: [
            Node(name: "in", op: .input(Shape([3, 5, 7]))),
            Node(name: "flat", op: .flatten, inputs: [0]),
            Node(name: "fc", op: .dense(outFeatures: 13, hasBias: true), inputs: [1],
                 parameters: [Tensor(shape: [13, 105], data: (0..<1365).map { _ in Float.random(in: -1...1, using: &rng) }),
                              Tensor(shape: [13], data: (0..<13).map { _ in Float.random(in: -1...1, using: &rng) })]),
        ])
        let xs = (0..<(5 * 105)).map { _ in Float.random(in: -1...1, using: &rng) }
        let out = try FloatExecutor(graph).run(xs, batch: 5)
        let w = graph.nodes[2].parameters[0].data, b = graph.nodes[2].parameters[1].data
        let expected = (0..<5).flatMap { n in (0..<13).map { o in b[o] + (0..<105).reduce(Float(0)) { $0 + w[o * 105 + $1] * xs[n * 105 + $1] } } }
        #expect(close(out, expected))
    }

    @Test func predictSplitsBatchesAcrossThreadsLikeOneRun() throws {
        var b = GraphBuilder(input: Shape([6, 6, 2]), seed: 3)
        let x = b.activation(b.conv(b.input, Conv2D(outChannels: 4, kernel: (3, 3))), .relu)
        b.dense(b.flatten(x), 3)
        let executor = try FloatExecutor(b.graph)
        var rng = SeededRandom(seed: 9)
        let inputs = (0..<(150 * 72)).map { _ in Float.random(in: -1...1, using: &rng) }
        #expect(close(executor.predict(inputs, count: 150, batchSize: 16), executor.run(inputs, batch: 150)))
    }
}
