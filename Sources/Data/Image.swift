/// An 8-bit image, rows top to bottom, channels interleaved (HWC): `pixels[(y·width + x)·channels + c]`.
/// One channel is gray, three are RGB.
public struct Image: Hashable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width * height * channels == pixels.count, "pixels do not match the image size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// This image (1 or 3 channels) with `target` channels, any count ≥ 1. RGB → gray uses
    /// ITU-R 601 luma `(299·R + 587·G + 114·B) / 1000`, rounded; otherwise channel c of the
    /// result is channel c mod 3 of the RGB image (gray repeats its value), so a 4-channel input
    /// gets R, G, B, R.
    /// Example: RGB (255, 0, 0) → gray 76.
    public func converted(toChannels target: Int) -> Image {
        precondition(target >= 1, "an image has at least one channel")
        if target == channels { return self }
        let n = width * height
        var out = [UInt8](repeating: 0, count: n * target)
        if target == 1 {
            for i in 0..<n {
                let (r, g, b) = (Int(pixels[3 * i]), Int(pixels[3 * i + 1]), Int(pixels[3 * i + 2]))
                out[i] = UInt8((299 * r + 587 * g + 114 * b + 500) / 1000)
            }
        } else {
            // Channel c of the result is channel c mod 3 of the RGB image (gray replicated).
            for i in 0..<n { for c in 0..<target { out[target * i + c] = pixels[channels * i + (channels == 1 ? 0 : c % 3)] } }
        }
        return Image(width: width, height: height, channels: target, pixels: out)
    }

    /// Bilinear resize with half-pixel centers (source coordinate `(x + 0.5)·in/out − 0.5`,
    /// clamped to the image), rounded to the nearest integer.
    /// Example: a 2×1 image [0, 255] resized to 4×1 gives [0, 64, 191, 255].
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        precondition(newWidth >= 1 && newHeight >= 1, "resize to an empty image")
        if newWidth == width && newHeight == height { return self }
        func taps(_ out: Int, _ size: Int, _ newSize: Int) -> (Int, Int, Float) {
            let src = max((Float(out) + 0.5) * Float(size) / Float(newSize) - 0.5, 0)
            let lo = min(Int(src), size - 1)
            return (lo, min(lo + 1, size - 1), src - Float(lo))
        }
        let xs = (0..<newWidth).map { taps($0, width, newWidth) }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * channels)
        for y in 0..<newHeight {
            let (y0, y1, fy) = taps(y, height, newHeight)
            for (x, (x0, x1, fx)) in xs.enumerated() {
                for c in 0..<channels {
                    func p(_ yy: Int, _ xx: Int) -> Float { Float(pixels[(yy * width + xx) * channels + c]) }
                    let top = p(y0, x0) + (p(y0, x1) - p(y0, x0)) * fx
                    let bottom = p(y1, x0) + (p(y1, x1) - p(y1, x0)) * fx
                    let v = top + (bottom - top) * fy
                    out[(y * newWidth + x) * channels + c] = UInt8(min(max(v.rounded(), 0), 255))
                }
            }
        }
        return Image(width: newWidth, height: newHeight, channels: channels, pixels: out)
    }

    /// The centered `cropWidth × cropHeight` window (the extra pixel, if any, is dropped at the
    /// right/bottom).
    public func centerCropped(width cropWidth: Int, height cropHeight: Int) -> Image {
        precondition(cropWidth <= width && cropHeight <= height, "crop larger than the image")
        let (x0, y0) = ((width - cropWidth) / 2, (height - cropHeight) / 2)
        var out: [UInt8] = []
        out.reserveCapacity(cropWidth * cropHeight * channels)
        for y in y0..<(y0 + cropHeight) {
            let start = (y * width + x0) * channels
            out.append(contentsOf: pixels[start..<(start + cropWidth * channels)])
        }
        return Image(width: cropWidth, height: cropHeight, channels: channels, pixels: out)
    }

    /// The image as a model input of `width × height × channels`: channels converted, scaled so
    /// it covers the target (aspect kept), then center-cropped.
    /// Example: 40×20 → 28×28 scales to 56×28 and keeps columns 14..<42.
    public func fitted(width w: Int, height h: Int, channels c: Int) -> Image {
        let scale = max(Double(w) / Double(width), Double(h) / Double(height))
        let sw = max(w, Int((Double(width) * scale).rounded()))
        let sh = max(h, Int((Double(height) * scale).rounded()))
        return converted(toChannels: c).resized(width: sw, height: sh).centerCropped(width: w, height: h)
    }
}
