/// One axis of a float bilinear resize, TFLite's `ResizeBilinear` rule: the source position of
/// output index o is `o · scale` (scale `in / out`, or `(in − 1) / (out − 1)` with align-corners),
/// half-pixel centres `(o + ½) · scale − ½`; the rows below and above are clamped into the input,
/// so positions past an edge repeat the edge pixel. Example: 2 → 4, half-pixel: positions −0.25,
/// 0.25, 0.75, 1.25 → (0, 0, f −0.25), (0, 1, 0.25), (0, 1, 0.75), (1, 1, 0.25).
public struct BilinearAxis: Sendable {
    public var lower: [Int], upper: [Int], fraction: [Float]

    public init(input: Int, output: Int, alignCorners: Bool, halfPixelCenters: Bool) {
        let scale = alignCorners && output > 1 ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
        lower = []; upper = []; fraction = []
        for o in 0..<output {
            let position = halfPixelCenters ? (Float(o) + 0.5) * scale - 0.5 : Float(o) * scale
            let low = max(Int(position.rounded(.down)), 0)
            lower.append(low)
            upper.append(min(Int(position.rounded(.up)), input - 1))
            fraction.append(position - Float(low))
        }
    }
}

/// Bilinear resize of `[batch, H, W, C]` to `[batch, OH, OW, C]` (TFLite's float kernel; ONNX's
/// linear Resize with half_pixel, align_corners or asymmetric coordinates).
func resizeBilinearF32(_ x: UnsafePointer<Float>, batch: Int, input: Shape, output: Shape, alignCorners: Bool, halfPixelCenters: Bool,
                       _ y: UnsafeMutablePointer<Float>) {
    let (h, w, c) = (input.height, input.width, input.channels)
    let rows = BilinearAxis(input: h, output: output.height, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
    let cols = BilinearAxis(input: w, output: output.width, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
    for b in 0..<batch {
        for oy in 0..<output.height {
            let fy = rows.fraction[oy]
            let r0 = x + (b * h + rows.lower[oy]) * w * c, r1 = x + (b * h + rows.upper[oy]) * w * c
            for ox in 0..<output.width {
                let fx = cols.fraction[ox]
                let c0 = cols.lower[ox] * c, c1 = cols.upper[ox] * c
                let out = y + ((b * output.height + oy) * output.width + ox) * c
                for k in 0..<c {
                    out[k] = r0[c0 + k] * (1 - fy) * (1 - fx) + r1[c0 + k] * fy * (1 - fx) + r0[c1 + k] * (1 - fy) * fx + r1[c1 + k] * fy * fx
                }
            }
        }
    }
}
