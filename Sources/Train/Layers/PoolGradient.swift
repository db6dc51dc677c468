import Graph

/// Gradients of max and average pooling over `[batch, H, W, C]`. Max pooling sends each output's
/// gradient to the first largest cell of its window; average pooling spreads it evenly over the
/// window's cells inside the image (padding is not counted, as in the forward pass).
func poolGradient(_ pool: Pool, isMax: Bool, x: [Float], dY: [Float], batch: Int, input: Shape, output: Shape) -> [Float] {
    let rows = resolveWindow(input: input.height, kernel: pool.kernelH, stride: pool.strideH, dilation: 1, padding: pool.padding, vertical: true)!
    let cols = resolveWindow(input: input.width, kernel: pool.kernelW, stride: pool.strideW, dilation: 1, padding: pool.padding, vertical: false)!
    let (h, w, c) = (input.height, input.width, input.channels)
    var dX = [Float](repeating: 0, count: x.count)
    for b in 0..<batch {
        for oy in 0..<output.height {
            let y0 = max(oy * pool.strideH - rows.before, 0), y1 = min(oy * pool.strideH - rows.before + pool.kernelH, h)
            for ox in 0..<output.width {
                let x0 = max(ox * pool.strideW - cols.before, 0), x1 = min(ox * pool.strideW - cols.before + pool.kernelW, w)
                let out = ((b * output.height + oy) * output.width + ox) * c
                for ch in 0..<c {
                    if isMax {
                        var best = -1, bestValue = -Float.infinity
                        for iy in y0..<y1 { for ix in x0..<x1 {
                            let at = ((b * h + iy) * w + ix) * c + ch
                            if x[at] > bestValue { bestValue = x[at]; best = at }
                        } }
                        if best >= 0 { dX[best] += dY[out + ch] }
                    } else {
                        let share = dY[out + ch] / Float((y1 - y0) * (x1 - x0))
                        for iy in y0..<y1 { for ix in x0..<x1 { dX[((b * h + iy) * w + ix) * c + ch] += share } }
                    }
                }
            }
        }
    }
    return dX
}

/// Global average pooling: each of the H·W pixels gets `dY[c] / (H·W)`.
func globalAveragePoolGradient(dY: [Float], batch: Int, input: Shape) -> [Float] {
    let pixels = input.height * input.width, c = input.channels
    var dX = [Float](repeating: 0, count: batch * pixels * c)
    for b in 0..<batch { for p in 0..<pixels { for ch in 0..<c { dX[(b * pixels + p) * c + ch] = dY[b * c + ch] / Float(pixels) } } }
    return dX
}
