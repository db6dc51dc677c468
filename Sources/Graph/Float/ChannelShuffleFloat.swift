/// ShuffleNet's channel shuffle over `pixels` pixels of `c` channels in `groups` groups:
/// output channel `j · groups + g` is input channel `g · (c / groups) + j`.
/// Example: c = 6, groups = 2: [a0 a1 a2 b0 b1 b2] → [a0 b0 a1 b1 a2 b2].
func channelShuffleF32(_ x: UnsafePointer<Float>, pixels: Int, c: Int, groups: Int, _ y: UnsafeMutablePointer<Float>) {
    let perGroup = c / groups
    for p in 0..<pixels {
        for g in 0..<groups {
            for j in 0..<perGroup { y[p * c + j * groups + g] = x[p * c + g * perGroup + j] }
        }
    }
}
