import Graph

/// Gradients of a transposed convolution (the forward pass scatters input (y, x) through tap
/// (ky, kx) onto output (y·sh − top + ky, x·sw − left + kx)): each such pair contributes
/// `dX[y, x, i] += dY[oy, ox, o] · W[o, ky, kx, i]` and `dW[o, ky, kx, i] += x[y, x, i] · dY[oy, ox, o]`.
func transposedConvGradient(_ t: TransposedConv2D, x: [Float], weight: [Float], dY: [Float], batch: Int, input: Shape, output: Shape)
    -> (dX: [Float], dW: [Float], dBias: [Float]) {
    let (h, w, cin) = (input.height, input.width, input.channels)
    let (oh, ow, cout) = (output.height, output.width, t.outChannels)
    let (top, left) = t.paddingBefore
    var dX = [Float](repeating: 0, count: x.count), dW = [Float](repeating: 0, count: weight.count)
    var dBias = [Float](repeating: 0, count: cout)
    for p in 0..<(batch * oh * ow) { for o in 0..<cout { dBias[o] += dY[p * cout + o] } }
    for b in 0..<batch { for iy in 0..<h { for ix in 0..<w {
        let src = ((b * h + iy) * w + ix) * cin
        for ky in 0..<t.kernelH {
            let oy = iy * t.strideH - top + ky
            if oy < 0 || oy >= oh { continue }
            for kx in 0..<t.kernelW {
                let ox = ix * t.strideW - left + kx
                if ox < 0 || ox >= ow { continue }
                let g = ((b * oh + oy) * ow + ox) * cout
                for o in 0..<cout {
                    let grad = dY[g + o], wrow = ((o * t.kernelH + ky) * t.kernelW + kx) * cin
                    for i in 0..<cin {
                        dX[src + i] += grad * weight[wrow + i]
                        dW[wrow + i] += grad * x[src + i]
                    }
                }
            }
        }
    } } }
    return (dX, dW, dBias)
}
