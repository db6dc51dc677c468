/// Concatenates images along channels: each pixel of the output holds input 0's channels,
/// then input 1's, and so on. `pixels` is batch · H · W; `channels[i]` is input i's C.
func concatF32(_ inputs: [UnsafePointer<Float>], channels: [Int], pixels: Int, _ y: UnsafeMutablePointer<Float>) {
    let total = channels.reduce(0, +)
    var offset = 0
    for (x, c) in zip(inputs, channels) {
        for p in 0..<pixels { (y + p * total + offset).update(from: x + p * c, count: c) }
        offset += c
    }
}
