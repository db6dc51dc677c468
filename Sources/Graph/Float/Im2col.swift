/// Writes `rowCount` rows of `KH·KW·Cin/groups` values, one per output pixel of the batch
/// starting at pixel `firstRow` (pixels counted over `[batch, OH, OW]`), in (ky, kx, channel)
/// order, reading group `group`'s input channels; taps in the padding are 0. With these rows as
/// the left matrix and the OHWI weights as the right, a convolution is one GEMM.
/// `padTop`/`padLeft` are the padding before the first row and column.
public func im2colF32(_ x: UnsafePointer<Float>, input: Shape, output: Shape, conv: Conv2D, rows padTop: Int, cols padLeft: Int,
                      group: Int, firstRow: Int, rowCount: Int, into columns: UnsafeMutablePointer<Float>) {
    let (oh, ow) = (output.height, output.width)
    let (h, w, cin) = (input.height, input.width, input.channels)
    let perGroup = cin / conv.groups
    let k = conv.kernelH * conv.kernelW * perGroup
    for r in 0..<rowCount {
        let pixel = firstRow + r
        let (b, rest) = pixel.quotientAndRemainder(dividingBy: oh * ow)
        let (oy, ox) = rest.quotientAndRemainder(dividingBy: ow)
        var dst = columns + r * k
        for ky in 0..<conv.kernelH {
            let iy = oy * conv.strideH - padTop + ky * conv.dilationH
            for kx in 0..<conv.kernelW {
                let ix = ox * conv.strideW - padLeft + kx * conv.dilationW
                if iy >= 0, iy < h, ix >= 0, ix < w {
                    dst.update(from: x + ((b * h + iy) * w + ix) * cin + group * perGroup, count: perGroup)
                } else {
                    dst.update(repeating: 0, count: perGroup)
                }
                dst += perGroup
            }
        }
    }
}
