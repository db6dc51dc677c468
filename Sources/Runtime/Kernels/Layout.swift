/// One input of a channel concatenation: copies the `channels` channels of each of `pixels`
/// pixels into channels `channelOffset ..< channelOffset + channels` of an output with
/// `outputChannels` channels. Inputs and output share H, W and quantization (a byte copy).
/// Example: inputs [a0 a1] and [b0] per pixel → calls at offsets 0 and 2 give [a0 a1 b0].
public func concat_s8(input: UnsafePointer<Int8>, channels: Int, pixels: Int, outputChannels: Int, channelOffset: Int,
                      output: UnsafeMutablePointer<Int8>) {
    for p in 0..<pixels {
        (output + p * outputChannels + channelOffset).update(from: input + p * channels, count: channels)
    }
}

/// ShuffleNet's channel shuffle over `pixels` pixels of `c` channels in `groups` groups:
/// output channel `j · groups + g` is input channel `g · (c / groups) + j`.
/// Example: c = 6, groups = 2: [a0 a1 a2 b0 b1 b2] → [a0 b0 a1 b1 a2 b2].
public func channel_shuffle_s8(input: UnsafePointer<Int8>, pixels: Int, channels c: Int, groups: Int,
                               output: UnsafeMutablePointer<Int8>) {
    let perGroup = c / groups
    for p in 0..<pixels {
        for g in 0..<groups {
            for j in 0..<perGroup { output[p * c + j * groups + g] = input[p * c + g * perGroup + j] }
        }
    }
}

/// Spatial padding of an image: `top` rows and `left` columns before, the rest after, filled with
/// `fill` (the zero point, i.e. the real value 0). Input and output share quantization.
public func pad_s8(input: UnsafePointer<Int8>, inputShape: ImageShape, outputShape: ImageShape, top: Int, left: Int,
                   fill: Int8, output: UnsafeMutablePointer<Int8>) {
    output.update(repeating: fill, count: outputShape.count)
    let rowBytes = inputShape.width * inputShape.channels
    for y in 0..<inputShape.height {
        (output + ((y + top) * outputShape.width + left) * outputShape.channels)
            .update(from: input + y * rowBytes, count: rowBytes)
    }
}

/// Nearest-neighbour resize: output pixel (y, x) copies input (`rows[y]`, `cols[x]`), the source
/// indices precomputed by the converter (TFLite's align-corners / half-pixel rules).
public func resize_nearest_s8(input: UnsafePointer<Int8>, inputShape: ImageShape, outputShape: ImageShape,
                              rows: UnsafePointer<Int32>, cols: UnsafePointer<Int32>, output: UnsafeMutablePointer<Int8>) {
    let c = inputShape.channels
    for y in 0..<outputShape.height {
        for x in 0..<outputShape.width {
            (output + (y * outputShape.width + x) * c)
                .update(from: input + (Int(rows[y]) * inputShape.width + Int(cols[x])) * c, count: c)
        }
    }
}
