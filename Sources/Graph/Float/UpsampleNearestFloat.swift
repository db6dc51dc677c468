/// Nearest-neighbour upsampling by whole factors: output pixel (y, x) copies input pixel
/// (y / scaleH, x / scaleW).
func upsampleNearestF32(_ x: UnsafePointer<Float>, batch: Int, input: Shape, scaleH: Int, scaleW: Int,
                        _ y: UnsafeMutablePointer<Float>) {
    let (h, w, c) = (input.height, input.width, input.channels)
    let (oh, ow) = (h * scaleH, w * scaleW)
    for b in 0..<batch {
        for oy in 0..<oh {
            for ox in 0..<ow {
                (y + ((b * oh + oy) * ow + ox) * c).update(from: x + ((b * h + oy / scaleH) * w + ox / scaleW) * c, count: c)
            }
        }
    }
}
