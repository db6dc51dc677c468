/// One input of a channel concatenation: copies the `channels` channels of each of `pixels`
/// pixels into channels `channelOffset ..< channelOffset + channels` of an output with
/// `outputChannels` channels. Inputs and output share H, W and quantization (a byte copy).
/// Example: inputs [a0 a1] and [b0] per pixel → calls at offsets 0 and 2 give [a0 a1 b0].
public func concat_s8(input: UnsafePointer<Int8>, channels: Int, pixels: Int, outputChannels: Int, channelOffset: Int,
                      output: UnsafeMutablePointer<Int8>) {
    for p in 0..<pixels {
        UnsafeMutableRawPointer(output + p * outputChannels + channelOffset).copyMemory(from: input + p * channels, byteCount: channels)
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
        UnsafeMutableRawPointer(output + ((y + top) * outputShape.width + left) * outputShape.channels)
            .copyMemory(from: input + y * rowBytes, byteCount: rowBytes)
    }
}

/// Nearest-neighbour resize: output pixel (y, x) copies input (`rows[y]`, `cols[x]`), the source
/// indices precomputed by the converter (TFLite's align-corners / half-pixel rules).
public func resize_nearest_s8(input: UnsafePointer<Int8>, inputShape: ImageShape, outputShape: ImageShape,
                              rows: UnsafePointer<Int32>, cols: UnsafePointer<Int32>, output: UnsafeMutablePointer<Int8>) {
    let c = inputShape.channels
    for y in 0..<outputShape.height {
        for x in 0..<outputShape.width {
            UnsafeMutableRawPointer(output + (y * outputShape.width + x) * c)
                .copyMemory(from: input + (Int(rows[y]) * inputShape.width + Int(cols[x])) * c, byteCount: c)
        }
    }
}

/// Axis permutation of an int8 tensor of up to four dimensions (TFLite's TRANSPOSE): output
/// element `(i_perm[0], …, i_perm[r−1])` is input element `(i_0, …, i_{r−1})`, i.e. output axis
/// `k` is input axis `perm[k]`. `dims` are the input's; unused trailing axes are 1 with
/// `perm[k] = k`. Example: NCHW [1, 2, 2, 3] with perm [0, 2, 3, 1] gives NHWC [1, 2, 3, 2].
public func transpose_s8(input: UnsafePointer<Int8>, dims: (Int, Int, Int, Int), perm: (Int, Int, Int, Int),
                         output: UnsafeMutablePointer<Int8>) {
    // Input strides, then the strides of the input axes in output order.
    let stride3 = 1, stride2 = dims.3, stride1 = dims.2 * dims.3, stride0 = dims.1 * dims.2 * dims.3
    @inline(__always) func inputStride(_ axis: Int) -> Int {
        axis == 0 ? stride0 : axis == 1 ? stride1 : axis == 2 ? stride2 : stride3
    }
    @inline(__always) func inputDim(_ axis: Int) -> Int {
        axis == 0 ? dims.0 : axis == 1 ? dims.1 : axis == 2 ? dims.2 : dims.3
    }
    let (n0, n1, n2, n3) = (inputDim(perm.0), inputDim(perm.1), inputDim(perm.2), inputDim(perm.3))
    let (s0, s1, s2, s3) = (inputStride(perm.0), inputStride(perm.1), inputStride(perm.2), inputStride(perm.3))
    var o = 0
    for a in 0..<n0 {
        for b in 0..<n1 {
            for c in 0..<n2 {
                let base = a * s0 + b * s1 + c * s2
                for d in 0..<n3 {
                    output[o] = input[base + d * s3]
                    o += 1
                }
            }
        }
    }
}

/// `rows` rows of `outputRow` bytes taken from `input`'s rows of `inputRow` bytes at byte
/// `offset` of each: the inverse of `concat_s8`, TFLite's `Slice`/`Split`/`StridedSlice` with
/// unit strides along one axis.
/// Example: rows 2, inputRow 5, outputRow 2, offset 1: [a b c d e | f g h i j] → [b c | g h].
public func slice_s8(input: UnsafePointer<Int8>, rows: Int, inputRow: Int, outputRow: Int, offset: Int,
                     output: UnsafeMutablePointer<Int8>) {
    for r in 0..<rows {
        UnsafeMutableRawPointer(output + r * outputRow).copyMemory(from: input + r * inputRow + offset, byteCount: outputRow)
    }
}
