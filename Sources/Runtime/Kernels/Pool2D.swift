/// Parameters of an int8 pooling window. Input and output share scale and zero point.
public struct Pool2DParams {
    public var input: ImageShape
    public var output: ImageShape
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padTop: Int, padLeft: Int
    public var activationMin: Int32
    public var activationMax: Int32

    public init(input: ImageShape, output: ImageShape, kernelH: Int, kernelW: Int, strideH: Int, strideW: Int,
                padTop: Int, padLeft: Int, activationMin: Int32, activationMax: Int32) {
        self.input = input
        self.output = output
        self.kernelH = kernelH
        self.kernelW = kernelW
        self.strideH = strideH
        self.strideW = strideW
        self.padTop = padTop
        self.padLeft = padLeft
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    /// These parameters for output rows `rows` only (the output pointer then starts at the first
    /// of them): the same windows, as the padding above moves with the first row.
    @inlinable
    public func rows(_ rows: Range<Int>) -> Pool2DParams {
        var p = self
        p.output.height = rows.count
        p.padTop -= rows.lowerBound * strideH
        return p
    }

    /// The window of output (oy, ox) clipped to the image: rows `y0..<y1`, columns `x0..<x1`.
    @inlinable @inline(__always)
    public func window(_ oy: Int, _ ox: Int) -> (y0: Int, y1: Int, x0: Int, x1: Int) {
        let top = oy * strideH - padTop, left = ox * strideW - padLeft
        return (max(top, 0), min(top + kernelH, input.height), max(left, 0), min(left + kernelW, input.width))
    }
}

/// Reference int8 max pool: the largest value of the window's cells inside the image, clamped.
/// `input` `[H, W, C]`, `output` `[OH, OW, C]`.
public func max_pool2d_s8(_ p: Pool2DParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let c = p.input.channels
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let w = p.window(oy, ox)
            for ch in 0..<c {
                var best: Int32 = -128
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 { best = max(best, Int32(input[(y * p.input.width + x) * c + ch])) }
                }
                output[(oy * p.output.width + ox) * c + ch] = clampToInt8(best, p.activationMin, p.activationMax)
            }
        }
    }
}

/// TFLite's average of `n` cells summing to `sum`: `(sum + n/2) / n` for `sum > 0` and
/// `(sum − n/2) / n` otherwise, integer division truncating toward zero (so halves round away
/// from zero), then clamped to [lo, hi]. Shared by `avg_pool2d_s8` and its twins.
/// Example: cells [1, 2] → (3 + 1) / 2 = 2; cells [−1, −2] → (−3 − 1) / 2 = −2.
@inlinable @inline(__always)
public func roundedAverage(_ sum: Int32, count n: Int32, _ lo: Int32, _ hi: Int32) -> Int8 {
    clampToInt8(sum > 0 ? (sum &+ n / 2) / n : (sum &- n / 2) / n, lo, hi)
}

/// Reference int8 average pool (TFLite's rule): the window's `n` cells inside the image are summed
/// and averaged by `roundedAverage`.
public func avg_pool2d_s8(_ p: Pool2DParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let c = p.input.channels
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let w = p.window(oy, ox)
            let n = Int32((w.y1 - w.y0) * (w.x1 - w.x0))
            for ch in 0..<c {
                var sum: Int32 = 0
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 { sum &+= Int32(input[(y * p.input.width + x) * c + ch]) }
                }
                output[(oy * p.output.width + ox) * c + ch] = roundedAverage(sum, count: n, p.activationMin, p.activationMax)
            }
        }
    }
}
