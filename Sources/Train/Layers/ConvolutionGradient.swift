import Graph

/// Gradients of a convolution (standard, grouped, dilated, depthwise).
///
/// With `cols` the im2col rows of the input (one per output pixel, `K = KH·KW·Cin/groups` wide)
/// and `W_g` a group's `[Cout/groups × K]` weights, the forward pass is `Y_g = cols · W_gᵀ`; so
/// `dW_g = dY_gᵀ · cols`, `dCols = dY_g · W_g` (scattered back onto the input: col2im) and
/// `dBias = Σ dY`. Depthwise convolutions (one input channel per group) use direct loops.
/// `x`: `[batch, H, W, Cin]`; `dY`: `[batch, OH, OW, Cout]`; returns dX (same size as x),
/// dW (OHWI) and dBias.
func conv2dGradient(_ conv: Conv2D, x: [Float], weight: [Float], dY: [Float], batch: Int, input: Shape, output: Shape)
    -> (dX: [Float], dW: [Float], dBias: [Float]) {
    let rows = resolveWindow(input: input.height, kernel: conv.kernelH, stride: conv.strideH, dilation: conv.dilationH,
                             padding: conv.padding, vertical: true)!
    let cols = resolveWindow(input: input.width, kernel: conv.kernelW, stride: conv.strideW, dilation: conv.dilationW,
                             padding: conv.padding, vertical: false)!
    let cout = conv.outChannels, cinG = input.channels / conv.groups, coutG = cout / conv.groups
    let pixels = batch * output.height * output.width
    var dX = [Float](repeating: 0, count: x.count), dW = [Float](repeating: 0, count: weight.count)
    var dBias = [Float](repeating: 0, count: cout)
    dY.withUnsafeBufferPointer { dY in
        dBias.withUnsafeMutableBufferPointer { dBias in
            for p in 0..<pixels { for o in 0..<cout { dBias[o] += dY[p &* cout &+ o] } }
        }
    }
    if cinG == 1 {
        depthwiseGradient(conv, x: x, weight: weight, dY: dY, batch: batch, input: input, output: output,
                          padTop: rows.before, padLeft: cols.before, dX: &dX, dW: &dW)
        return (dX, dW, dBias)
    }
    let k = conv.kernelH * conv.kernelW * cinG
    var columns = [Float](repeating: 0, count: pixels * k)
    var dColumns = [Float](repeating: 0, count: pixels * k)
    var dYGroupT = [Float](repeating: 0, count: coutG * pixels)
    for g in 0..<conv.groups {
        x.withUnsafeBufferPointer { xp in
            columns.withUnsafeMutableBufferPointer {
                im2colF32(xp.baseAddress!, input: input, output: output, conv: conv, rows: rows.before, cols: cols.before,
                          group: g, firstRow: 0, rowCount: pixels, into: $0.baseAddress!)
            }
        }
        // dW_g = dY_gᵀ · cols
        transposeBlock(dY, rows: pixels, columns: coutG, stride: cout, first: g * coutG, into: &dYGroupT)
        let packedColumns = columns.withUnsafeBufferPointer { packColumns($0.baseAddress!, k: pixels, n: k, ldb: k) }
        dYGroupT.withUnsafeBufferPointer { a in
            packedColumns.withUnsafeBufferPointer { b in
                dW.withUnsafeMutableBufferPointer { c in
                    gemmF32(m: coutG, n: k, k: pixels, a: a.baseAddress!, lda: pixels, packedB: b.baseAddress!, bias: nil,
                            c: c.baseAddress! + g * coutG * k, ldc: k)
                }
            }
        }
        // dCols = dY_g · W_g
        let packedWeights = weight.withUnsafeBufferPointer { packColumns($0.baseAddress! + g * coutG * k, k: coutG, n: k, ldb: k) }
        dY.withUnsafeBufferPointer { a in
            packedWeights.withUnsafeBufferPointer { b in
                dColumns.withUnsafeMutableBufferPointer { c in
                    gemmF32(m: pixels, n: k, k: coutG, a: a.baseAddress! + g * coutG, lda: cout, packedB: b.baseAddress!,
                            bias: nil, c: c.baseAddress!, ldc: k)
                }
            }
        }
        col2im(dColumns, conv: conv, input: input, output: output, padTop: rows.before, padLeft: cols.before, group: g,
               pixels: pixels, into: &dX)
    }
    return (dX, dW, dBias)
}

/// Adds each im2col row's values back onto the input positions they were read from.
func col2im(_ dColumns: [Float], conv: Conv2D, input: Shape, output: Shape, padTop: Int, padLeft: Int, group: Int,
            pixels: Int, into dX: inout [Float]) {
    let (h, w, cin) = (input.height, input.width, input.channels)
    let cinG = cin / conv.groups
    let k = conv.kernelH * conv.kernelW * cinG
    dColumns.withUnsafeBufferPointer { columns in
        dX.withUnsafeMutableBufferPointer { dx in
            for r in 0..<pixels {
                let (b, rest) = r.quotientAndRemainder(dividingBy: output.height * output.width)
                let (oy, ox) = rest.quotientAndRemainder(dividingBy: output.width)
                var src = columns.baseAddress! + r * k
                for ky in 0..<conv.kernelH {
                    let iy = oy * conv.strideH - padTop + ky * conv.dilationH
                    for kx in 0..<conv.kernelW {
                        let ix = ox * conv.strideW - padLeft + kx * conv.dilationW
                        if iy >= 0, iy < h, ix >= 0, ix < w {
                            let dst = dx.baseAddress! + ((b * h + iy) * w + ix) * cin + group * cinG
                            for i in 0..<cinG { dst[i] += src[i] }
                        }
                        src += cinG
                    }
                }
            }
        }
    }
}

/// Depthwise gradients: output channel `o` reads input channel `o / M` with weight `w[o, ky, kx]`.
/// Weights are handled tap-major (`[KH·KW][Cout]`) so the inner loops run over contiguous channels.
func depthwiseGradient(_ conv: Conv2D, x: [Float], weight: [Float], dY: [Float], batch: Int, input: Shape, output: Shape,
                       padTop: Int, padLeft: Int, dX: inout [Float], dW: inout [Float]) {
    let (h, w, cin) = (input.height, input.width, input.channels)
    let cout = conv.outChannels, m = cout / cin, taps = conv.kernelH * conv.kernelW
    var tapMajor = [Float](repeating: 0, count: taps * cout), dTapMajor = [Float](repeating: 0, count: taps * cout)
    for o in 0..<cout { for t in 0..<taps { tapMajor[t * cout + o] = weight[o * taps + t] } }
    x.withUnsafeBufferPointer { xs in dY.withUnsafeBufferPointer { dys in dX.withUnsafeMutableBufferPointer { dxs in
    tapMajor.withUnsafeBufferPointer { ws in dTapMajor.withUnsafeMutableBufferPointer { dws in
        for b in 0..<batch {
            for oy in 0..<output.height {
                for ox in 0..<output.width {
                    let grad = dys.baseAddress! + ((b * output.height + oy) * output.width + ox) * cout
                    for ky in 0..<conv.kernelH {
                        let iy = oy * conv.strideH - padTop + ky * conv.dilationH
                        if iy < 0 || iy >= h { continue }
                        for kx in 0..<conv.kernelW {
                            let ix = ox * conv.strideW - padLeft + kx * conv.dilationW
                            if ix < 0 || ix >= w { continue }
                            let at = ((b * h + iy) * w + ix) * cin, tap = (ky * conv.kernelW + kx) * cout
                            let xin = xs.baseAddress! + at, dxin = dxs.baseAddress! + at
                            let wt = ws.baseAddress! + tap, dwt = dws.baseAddress! + tap
                            if m == 1 {
                                var o = 0
                                while o &+ 8 <= cout {  // the loop below, eight channels at a time
                                    let g8 = UnsafeRawPointer(grad + o).loadUnaligned(as: SIMD8<Float>.self)
                                    let dx8 = UnsafeRawPointer(dxin + o).loadUnaligned(as: SIMD8<Float>.self)
                                        + g8 * UnsafeRawPointer(wt + o).loadUnaligned(as: SIMD8<Float>.self)
                                    let dw8 = UnsafeRawPointer(dwt + o).loadUnaligned(as: SIMD8<Float>.self)
                                        + g8 * UnsafeRawPointer(xin + o).loadUnaligned(as: SIMD8<Float>.self)
                                    UnsafeMutableRawPointer(dxin + o).storeBytes(of: dx8, as: SIMD8<Float>.self)
                                    UnsafeMutableRawPointer(dwt + o).storeBytes(of: dw8, as: SIMD8<Float>.self)
                                    o &+= 8
                                }
                                while o < cout {
                                    dxin[o] += grad[o] * wt[o]
                                    dwt[o] += grad[o] * xin[o]
                                    o &+= 1
                                }
                            } else {
                                var o = 0
                                for c in 0..<cin {  // output channels c·m ..< (c + 1)·m read input channel c
                                    let x = xin[c]
                                    var dx: Float = 0
                                    for _ in 0..<m {
                                        dx += grad[o] * wt[o]
                                        dwt[o] += grad[o] * x
                                        o &+= 1
                                    }
                                    dxin[c] += dx
                                }
                            }
                        }
                    }
                }
            }
        }
    } }
    } } }
    for o in 0..<cout { for t in 0..<taps { dW[o * taps + t] += dTapMajor[t * cout + o] } }
}

/// Columns `first ..< first + columns` of the row-major `rows × stride` matrix `a`, transposed into
/// `t` (`columns × rows`), in tiles of 16 rows so that reads and writes both stay in cache lines.
func transposeBlock(_ a: [Float], rows: Int, columns: Int, stride: Int, first: Int, into t: inout [Float]) {
    a.withUnsafeBufferPointer { a in
        t.withUnsafeMutableBufferPointer { t in
            for r0 in Swift.stride(from: 0, to: rows, by: 16) {
                let r1 = min(rows, r0 + 16)
                for c in 0..<columns {
                    for r in r0..<r1 { t[c &* rows &+ r] = a[r &* stride &+ first &+ c] }
                }
            }
        }
    }
}
