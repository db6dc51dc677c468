/// Pads each image of `[batch, H, W, C]` with zeros: `top` rows above, `left` columns before.
/// `output` is the padded shape.
func zeroPadF32(_ x: UnsafePointer<Float>, batch: Int, input: Shape, output: Shape, top: Int, left: Int,
                _ y: UnsafeMutablePointer<Float>) {
    let (h, w, c) = (input.height, input.width, input.channels)
    let (oh, ow) = (output.height, output.width)
    y.update(repeating: 0, count: batch * output.count)
    for b in 0..<batch {
        for iy in 0..<h {
            let src = x + (b * h + iy) * w * c
            let dst = y + ((b * oh + iy + top) * ow + left) * c
            dst.update(from: src, count: w * c)
        }
    }
}
