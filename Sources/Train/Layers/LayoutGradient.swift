import Graph

/// Concatenation along channels: each input gets its own channels of `dY` back.
func concatGradient(dY: [Float], channels: [Int], pixels: Int) -> [[Float]] {
    let total = channels.reduce(0, +)
    var offset = 0
    return channels.map { c in
        defer { offset += c }
        var d = [Float](repeating: 0, count: pixels * c)
        for p in 0..<pixels { for i in 0..<c { d[p * c + i] = dY[p * total + offset + i] } }
        return d
    }
}

/// Channel shuffle is a permutation: its gradient applies the inverse permutation.
func channelShuffleGradient(dY: [Float], channels c: Int, groups: Int) -> [Float] {
    let perGroup = c / groups
    var dX = [Float](repeating: 0, count: dY.count)
    for p in 0..<(dY.count / c) {
        for g in 0..<groups { for j in 0..<perGroup { dX[p * c + g * perGroup + j] = dY[p * c + j * groups + g] } }
    }
    return dX
}

/// Zero padding: the gradient is `dY` cropped back to the input.
func zeroPadGradient(dY: [Float], batch: Int, input: Shape, output: Shape, top: Int, left: Int) -> [Float] {
    let (h, w, c) = (input.height, input.width, input.channels)
    var dX = [Float](repeating: 0, count: batch * input.count)
    for b in 0..<batch { for y in 0..<h { for x in 0..<w { for ch in 0..<c {
        dX[((b * h + y) * w + x) * c + ch] = dY[((b * output.height + y + top) * output.width + x + left) * c + ch]
    } } } }
    return dX
}

/// Nearest upsampling: each input pixel sums the gradients of the block it was copied to.
func upsampleGradient(dY: [Float], batch: Int, input: Shape, scaleH: Int, scaleW: Int) -> [Float] {
    let (h, w, c) = (input.height, input.width, input.channels)
    let (oh, ow) = (h * scaleH, w * scaleW)
    var dX = [Float](repeating: 0, count: batch * input.count)
    for b in 0..<batch { for oy in 0..<oh { for ox in 0..<ow { for ch in 0..<c {
        dX[((b * h + oy / scaleH) * w + ox / scaleW) * c + ch] += dY[((b * oh + oy) * ow + ox) * c + ch]
    } } } }
    return dX
}
