import Graph

/// Training-time augmentation of NHWC float images: a random crop of the image padded by `pad`
/// pixels of the padding value (the normalized 0 pixel), and a horizontal flip with probability ½.
public struct Augmentation: Codable, Sendable {
    public var pad: Int
    public var flip: Bool

    public init(pad: Int, flip: Bool) {
        self.pad = pad
        self.flip = flip
    }

    /// Augments one image in place. `fill` is the value of a padded pixel per channel.
    func apply(_ image: inout [Float], shape: Shape, fill: [Float], random: inout SeededRandom) {
        let (h, w, c) = (shape.height, shape.width, shape.channels)
        let dy = pad > 0 ? Int.random(in: -pad...pad, using: &random) : 0
        let dx = pad > 0 ? Int.random(in: -pad...pad, using: &random) : 0
        let mirror = flip && Bool.random(using: &random)
        if dy == 0 && dx == 0 && !mirror { return }
        let source = image
        for y in 0..<h {
            for x in 0..<w {
                let sy = y + dy, sx0 = x + dx
                let sx = mirror ? w - 1 - sx0 : sx0
                for ch in 0..<c {
                    image[(y * w + x) * c + ch] = sy >= 0 && sy < h && sx >= 0 && sx < w ? source[(sy * w + sx) * c + ch] : fill[ch]
                }
            }
        }
    }
}
