/// Float max or average pooling over `[batch, H, W, C]`. Padded cells are ignored: the maximum
/// and the mean are taken over the window's cells inside the image (TFLite's rule).
/// Example: a 2×2 average window at the bottom-right corner of a 3×3 image with SAME padding
/// covers one cell and returns that cell.
struct PoolFloat: Sendable {
    let pool: Pool
    let isMax: Bool
    let input: Shape
    let output: Shape
    let rows: AxisWindow
    let cols: AxisWindow

    init(_ pool: Pool, isMax: Bool, input: Shape, output: Shape) {
        self.pool = pool
        self.isMax = isMax
        self.input = input
        self.output = output
        rows = resolveWindow(input: input.height, kernel: pool.kernelH, stride: pool.strideH,
                             dilation: 1, padding: pool.padding, vertical: true)!
        cols = resolveWindow(input: input.width, kernel: pool.kernelW, stride: pool.strideW,
                             dilation: 1, padding: pool.padding, vertical: false)!
    }

    func run(_ x: UnsafePointer<Float>, batch: Int, _ y: UnsafeMutablePointer<Float>) {
        let (h, w, c) = (input.height, input.width, input.channels)
        let (oh, ow) = (output.height, output.width)
        for b in 0..<batch {
            for oy in 0..<oh {
                let y0 = max(oy * pool.strideH - rows.before, 0)
                let y1 = min(oy * pool.strideH - rows.before + pool.kernelH, h)
                for ox in 0..<ow {
                    let x0 = max(ox * pool.strideW - cols.before, 0)
                    let x1 = min(ox * pool.strideW - cols.before + pool.kernelW, w)
                    let out = y + ((b * oh + oy) * ow + ox) * c
                    out.update(repeating: isMax ? -.infinity : 0, count: c)
                    for iy in y0..<y1 {
                        for ix in x0..<x1 {
                            let src = x + ((b * h + iy) * w + ix) * c
                            if isMax {
                                for ch in 0..<c { out[ch] = max(out[ch], src[ch]) }
                            } else {
                                for ch in 0..<c { out[ch] += src[ch] }
                            }
                        }
                    }
                    if !isMax {
                        let n = Float((y1 - y0) * (x1 - x0))
                        for ch in 0..<c { out[ch] /= n }
                    }
                }
            }
        }
    }
}

/// Mean over H and W: `[batch, H, W, C]` → `[batch, C]`.
func globalAveragePoolF32(_ x: UnsafePointer<Float>, batch: Int, input: Shape, _ y: UnsafeMutablePointer<Float>) {
    let (pixels, c) = (input.height * input.width, input.channels)
    for b in 0..<batch {
        let out = y + b * c
        out.update(repeating: 0, count: c)
        for p in 0..<pixels {
            let src = x + (b * pixels + p) * c
            for ch in 0..<c { out[ch] += src[ch] }
        }
        for ch in 0..<c { out[ch] /= Float(pixels) }
    }
}
