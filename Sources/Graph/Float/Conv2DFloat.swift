import FloatKernelsAVX2

/// A float convolution ready to run: weights packed for `gemmF32` per group, or rearranged
/// tap-major for the depthwise loop when every group has one input channel.
struct Conv2DFloat: Sendable {
    let conv: Conv2D
    let input: Shape
    let output: Shape
    let rows: AxisWindow
    let cols: AxisWindow
    let inPerGroup: Int
    let outPerGroup: Int
    /// Per group, `[Cout/groups]` rows of `KH·KW·Cin/groups` packed by `packPanels`; empty for depthwise.
    let packedGroups: [[Float]]
    /// Depthwise only: weight[o, ky, kx, 0] stored at `(ky·KW + kx)·Cout + o`.
    let depthwiseTaps: [Float]
    let bias: [Float]

    init(_ conv: Conv2D, input: Shape, output: Shape, parameters: [Tensor]) {
        self.conv = conv
        self.input = input
        self.output = output
        rows = resolveWindow(input: input.height, kernel: conv.kernelH, stride: conv.strideH,
                             dilation: conv.dilationH, padding: conv.padding, vertical: true)!
        cols = resolveWindow(input: input.width, kernel: conv.kernelW, stride: conv.strideW,
                             dilation: conv.dilationW, padding: conv.padding, vertical: false)!
        inPerGroup = input.channels / conv.groups
        outPerGroup = conv.outChannels / conv.groups
        bias = conv.hasBias ? parameters[1].data : [Float](repeating: 0, count: conv.outChannels)
        let weight = parameters[0].data
        let (inPerGroup, outPerGroup) = (self.inPerGroup, self.outPerGroup)
        let k = conv.kernelH * conv.kernelW * inPerGroup
        if inPerGroup == 1 {
            let taps = conv.kernelH * conv.kernelW
            var rearranged = [Float](repeating: 0, count: taps * conv.outChannels)
            for o in 0..<conv.outChannels {
                for t in 0..<taps { rearranged[t * conv.outChannels + o] = weight[o * taps + t] }
            }
            depthwiseTaps = rearranged
            packedGroups = []
        } else {
            depthwiseTaps = []
            packedGroups = (0..<conv.groups).map { g in
                weight.withUnsafeBufferPointer {
                    packPanels($0.baseAddress! + g * outPerGroup * k, n: outPerGroup, k: k, ldw: k)
                }
            }
        }
    }

    /// Output rows (pixels of the whole batch) converted per im2col chunk.
    static let chunkRows = 256

    /// `x`: `[batch, H, W, Cin]`; `y`: `[batch, OH, OW, Cout]`.
    func run(_ x: UnsafePointer<Float>, batch: Int, _ y: UnsafeMutablePointer<Float>) {
        if inPerGroup == 1 { return runDepthwise(x, batch: batch, y) }
        let k = conv.kernelH * conv.kernelW * inPerGroup
        let m = batch * output.height * output.width
        let cout = conv.outChannels
        let isPointwise = conv.kernelH == 1 && conv.kernelW == 1 && conv.strideH == 1 && conv.strideW == 1
            && rows.before == 0 && cols.before == 0 && conv.groups == 1
        if isPointwise {
            packedGroups[0].withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    gemmF32(m: m, n: cout, k: k, a: x, lda: input.channels, packedB: w.baseAddress!,
                            bias: b.baseAddress!, c: y, ldc: cout)
                }
            }
            return
        }
        var columns = [Float](repeating: 0, count: Self.chunkRows * k)
        columns.withUnsafeMutableBufferPointer { columns in
            for start in stride(from: 0, to: m, by: Self.chunkRows) {
                let count = min(Self.chunkRows, m - start)
                for g in 0..<conv.groups {
                    im2colF32(x, input: input, output: output, conv: conv, rows: rows.before, cols: cols.before, group: g,
                              firstRow: start, rowCount: count, into: columns.baseAddress!)
                    packedGroups[g].withUnsafeBufferPointer { w in
                        bias.withUnsafeBufferPointer { b in
                            gemmF32(m: count, n: outPerGroup, k: k, a: columns.baseAddress!, lda: k,
                                    packedB: w.baseAddress!, bias: b.baseAddress! + g * outPerGroup,
                                    c: y + start * cout + g * outPerGroup, ldc: cout)
                        }
                    }
                }
            }
        }
    }

    /// One input channel per group: output channel `o` reads input channel `o / multiplier`.
    /// Multiplier 1 or a multiple of 8 runs `depthwiseConvF32AVX2FMA` where the CPU has AVX2 and FMA.
    private func runDepthwise(_ x: UnsafePointer<Float>, batch: Int, _ y: UnsafeMutablePointer<Float>) {
        let (h, w, cin) = (input.height, input.width, input.channels)
        let (oh, ow, cout) = (output.height, output.width, conv.outChannels)
        let multiplier = cout / cin
        #if arch(x86_64)
        if cpuHasAVX2FMA && (multiplier == 1 || multiplier % 8 == 0) {
            let geometry: DepthwiseF32Geometry = (height: h, width: w, channels: cout, multiplier: multiplier, outHeight: oh, outWidth: ow,
                                                  kernelH: conv.kernelH, kernelW: conv.kernelW, strideH: conv.strideH,
                                                  strideW: conv.strideW, dilationH: conv.dilationH, dilationW: conv.dilationW,
                                                  padTop: rows.before, padLeft: cols.before)
            return depthwiseTaps.withUnsafeBufferPointer { taps in
                bias.withUnsafeBufferPointer { depthwiseConvF32AVX2FMA(x, batch: batch, geometry, taps: taps.baseAddress!, bias: $0.baseAddress!, y) }
            }
        }
        #endif
        runDepthwisePortable(x, batch: batch, y)
    }

    /// The depthwise loop the AVX2 twin is checked against.
    func runDepthwisePortable(_ x: UnsafePointer<Float>, batch: Int, _ y: UnsafeMutablePointer<Float>) {
        let (h, w, cin) = (input.height, input.width, input.channels)
        let (oh, ow, cout) = (output.height, output.width, conv.outChannels)
        let multiplier = cout / cin
        depthwiseTaps.withUnsafeBufferPointer { taps in
            bias.withUnsafeBufferPointer { bias in
                for b in 0..<batch {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let out = y + ((b * oh + oy) * ow + ox) * cout
                            out.update(from: bias.baseAddress!, count: cout)
                            for ky in 0..<conv.kernelH {
                                let iy = oy * conv.strideH - rows.before + ky * conv.dilationH
                                if iy < 0 || iy >= h { continue }
                                for kx in 0..<conv.kernelW {
                                    let ix = ox * conv.strideW - cols.before + kx * conv.dilationW
                                    if ix < 0 || ix >= w { continue }
                                    let src = x + ((b * h + iy) * w + ix) * cin
                                    let tap = taps.baseAddress! + (ky * conv.kernelW + kx) * cout
                                    if multiplier == 1 {
                                        var c = 0
                                        while c + 8 <= cout {
                                            let acc = UnsafeRawPointer(out + c).loadUnaligned(as: SIMD8<Float>.self)
                                                + UnsafeRawPointer(src + c).loadUnaligned(as: SIMD8<Float>.self)
                                                * UnsafeRawPointer(tap + c).loadUnaligned(as: SIMD8<Float>.self)
                                            UnsafeMutableRawPointer(out + c).storeBytes(of: acc, as: SIMD8<Float>.self)
                                            c += 8
                                        }
                                        while c < cout { out[c] += src[c] * tap[c]; c += 1 }
                                    } else {
                                        for c in 0..<cout { out[c] += src[c / multiplier] * tap[c] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
