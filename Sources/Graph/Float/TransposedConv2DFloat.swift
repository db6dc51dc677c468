/// Float transposed convolution by scattering: input pixel (y, x) with tap (ky, kx) adds
/// `input[y, x, :] · weight[:, ky, kx, :]` to output pixel (y·sh − top + ky, x·sw − left + kx);
/// taps landing outside the output are dropped. Weight `[Cout, KH, KW, Cin]`.
struct TransposedConv2DFloat: Sendable {
    let attributes: TransposedConv2D
    let input: Shape
    let output: Shape
    let weight: [Float]
    let bias: [Float]

    init(_ t: TransposedConv2D, input: Shape, output: Shape, parameters: [Tensor]) {
        attributes = t
        self.input = input
        self.output = output
        weight = parameters[0].data
        bias = t.hasBias ? parameters[1].data : [Float](repeating: 0, count: t.outChannels)
    }

    /// `x`: `[batch, H, W, Cin]`; `y`: `[batch, OH, OW, Cout]`.
    func run(_ x: UnsafePointer<Float>, batch: Int, _ y: UnsafeMutablePointer<Float>) {
        let t = attributes
        let (h, w, cin) = (input.height, input.width, input.channels)
        let (oh, ow, cout) = (output.height, output.width, t.outChannels)
        let (top, left) = t.paddingBefore
        for p in 0..<(batch * oh * ow) {
            for o in 0..<cout { y[p * cout + o] = bias[o] }
        }
        for b in 0..<batch {
            for iy in 0..<h {
                for ix in 0..<w {
                    let src = x + ((b * h + iy) * w + ix) * cin
                    for ky in 0..<t.kernelH {
                        let oy = iy * t.strideH - top + ky
                        if oy < 0 || oy >= oh { continue }
                        for kx in 0..<t.kernelW {
                            let ox = ix * t.strideW - left + kx
                            if ox < 0 || ox >= ow { continue }
                            let dst = y + ((b * oh + oy) * ow + ox) * cout
                            for o in 0..<cout {
                                let wrow = ((o * t.kernelH + ky) * t.kernelW + kx) * cin
                                var sum: Float = 0
                                for c in 0..<cin { sum += src[c] * weight[wrow + c] }
                                dst[o] += sum
                            }
                        }
                    }
                }
            }
        }
    }
}
