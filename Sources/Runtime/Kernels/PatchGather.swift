/// The patches of a few output pixels, gathered for a GEMM over each pixel's whole KH·KW·Cin
/// window: what the dot-product kernels run stems (one group of 1–3 channels) and one-channel
/// depthwise convolutions as, instead of one mostly empty quad of channels per tap.

/// The largest patch (KH·KW·Cin bytes) a patch GEMM takes.
public let patchGEMMMaxBytes = 128

/// The bytes between two pixels' patches in a gather buffer: the largest patch plus 16 bytes of
/// spill room for the last 16-byte row copy.
public let patchStride = 144

extension Conv2DParams {
    /// The input pixels that output pixels `(oy, ox + k)`, k = 0…3, read at tap `(ky, kx)`, each
    /// `channelOffset` bytes in (a group's first channel): nil in the padding; pixels from
    /// `pixels` on repeat the last one, so a tile at a row's end reads only real pixels (their sums
    /// are never stored). What the packed NEON kernels' 4-pixel tiles read per tap.
    /// Example: 3 × 3, stride 1, padding 1, (oy, ox) = (0, 0), tap (0, 1): all four nil (row −1).
    @_transparent
    public func tapSources(_ image: UnsafePointer<Int8>, oy: Int, ox: Int, pixels: Int, ky: Int, kx: Int, channelOffset: Int)
        -> (UnsafePointer<Int8>?, UnsafePointer<Int8>?, UnsafePointer<Int8>?, UnsafePointer<Int8>?) {
        let iy = oy &* strideH &- padTop &+ ky &* dilationH
        let rowInside = iy >= 0 && iy < input.height
        let line = image + (rowInside ? iy &* input.width &* input.channels &+ channelOffset : 0)
        let x0 = ox &* strideW &- padLeft &+ kx &* dilationW, last = pixels &- 1
        let x1 = x0 &+ min(1, last) &* strideW, x2 = x0 &+ min(2, last) &* strideW, x3 = x0 &+ min(3, last) &* strideW
        return (rowInside && x0 >= 0 && x0 < input.width ? line + x0 &* input.channels : nil,
                rowInside && x1 >= 0 && x1 < input.width ? line + x1 &* input.channels : nil,
                rowInside && x2 >= 0 && x2 < input.width ? line + x2 &* input.channels : nil,
                rowInside && x3 >= 0 && x3 < input.width ? line + x3 &* input.channels : nil)
    }

    /// The input pixels of a pointwise convolution's output pixels `first ..< first + 4`, the image
    /// taken as one run (`isPointwise`), each `channelOffset` bytes in; pixels from `pixels` on
    /// repeat the last one (their sums are never stored). Example: 7 × 7 pixels: the last run is
    /// pixel 48 alone, four times.
    @_transparent
    public func runSources(_ image: UnsafePointer<Int8>, first: Int, pixels: Int, channelOffset: Int)
        -> (UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafePointer<Int8>) {
        let at = image + (first &* input.channels &+ channelOffset), last = pixels &- 1
        return (at, at + min(1, last) &* input.channels, at + min(2, last) &* input.channels, at + min(3, last) &* input.channels)
    }

    /// Whether the convolution is pointwise: 1 × 1, stride 1, no padding, the output the input's
    /// size, so that pixel `i` of the output reads pixel `i` of the input (the packed kernels then
    /// take the image as one run of pixels).
    @inlinable
    public var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0
            && input.height == output.height && input.width == output.width
    }

    /// Whether the packed dot-product kernels run this convolution as a patch GEMM: one group of
    /// fewer than four input channels (a network's stem: 1 or 3) whose patch fits
    /// `patchGEMMMaxBytes`, and at most 64 output channels.
    @inlinable
    public var takesStemPath: Bool {
        groups == 1 && input.channels < 4 && kernelH * kernelW * input.channels <= patchGEMMMaxBytes && output.channels <= 64
    }

    /// Whether the dot-product depthwise kernels run this depthwise convolution as a patch GEMM:
    /// one input channel (any multiplier up to 64 outputs) whose KH·KW taps fit `patchGEMMMaxBytes`,
    /// as a filter bank over a spectrogram.
    @inlinable
    public var takesOneChannelPatchPath: Bool {
        input.channels == 1 && kernelH * kernelW <= patchGEMMMaxBytes && output.channels <= 64
    }
}

/// Writes the patches of output pixels `(oy, ox ..< ox + pixels)` (at most 4) to `patches`, pixel
/// `k` at `patchStride · k`, in (ky, kx, c) order: input bytes, or the input zero point where a
/// tap falls in the padding. Bytes past each patch (up to `patchStride`) may be overwritten with
/// anything; callers multiply them by zero weights. Inside the image each kernel row is one
/// 16-byte copy (contiguous rows of at most 16 bytes, rows in order so each overwrites the
/// previous one's spill, and never past the input's end); on the border, row by row: rows outside
/// the image are zero-point fills, rows inside copied whole where their columns are, byte by byte
/// where they cross an edge. `patches` holds at least `4 · patchStride + 32` bytes.
/// Example: a 3×3 RGB stem's pixel gathers 27 bytes, three row copies of 9.
@inlinable @inline(__always)
public func gatherPatches(_ p: Conv2DParams, input: UnsafePointer<Int8>, oy: Int, ox: Int, pixels: Int,
                          into patches: UnsafeMutablePointer<Int8>) {
    let cin = p.input.channels, rowBytes = p.input.width * cin, runBytes = p.kernelW * cin
    let lastRow = (p.kernelH - 1) * p.dilationH, lastColumn = (p.kernelW - 1) * p.dilationW
    let rowRun = p.dilationW == 1 && runBytes <= 16
    let inputBytes = p.input.height * rowBytes
    let zeroPoint = Int8(truncatingIfNeeded: p.inputZeroPoint)
    let firstX: Int = ox &* p.strideW &- p.padLeft
    let lastX: Int = (ox &+ pixels &- 1) &* p.strideW &- p.padLeft &+ lastColumn
    let firstY: Int = oy &* p.strideH &- p.padTop
    let lastPixel: Int = (firstY &+ lastRow) &* p.input.width &+ firstX &+ 3 &* p.strideW
    let columnsInside = firstX >= 0 && lastX < p.input.width
    let rowsInside = firstY >= 0 && firstY &+ lastRow < p.input.height
    if rowRun && pixels == 4 && columnsInside && rowsInside && lastPixel &* cin &+ 16 <= inputBytes {
        for k in 0..<4 {
            let column: UnsafePointer<Int8> = input + (firstX &+ k &* p.strideW) &* cin
            let slot: UnsafeMutablePointer<Int8> = patches + patchStride &* k
            for ky in 0..<p.kernelH {
                let run = UnsafeRawPointer(column + (firstY &+ ky &* p.dilationH) &* rowBytes).loadUnaligned(as: SIMD16<Int8>.self)
                UnsafeMutableRawPointer(slot + ky &* runBytes).storeBytes(of: run, as: SIMD16<Int8>.self)
            }
        }
        return
    }
    let zeroPatch = SIMD32<Int8>(repeating: zeroPoint)
    for k in 0..<pixels {
        let patch = patches + patchStride &* k
        let x0: Int = firstX &+ k &* p.strideW
        let pixelColumnsInside = x0 >= 0 && x0 &+ lastColumn < p.input.width
        for ky in 0..<p.kernelH {
            let iy = firstY &+ ky &* p.dilationH
            let slot = patch + ky &* runBytes
            if iy < 0 || iy >= p.input.height {
                for offset in stride(from: 0, to: runBytes, by: 32) {
                    UnsafeMutableRawPointer(slot + offset).storeBytes(of: zeroPatch, as: SIMD32<Int8>.self)
                }
            } else if rowRun && pixelColumnsInside && (iy &* p.input.width &+ x0) &* cin &+ 16 <= inputBytes {
                let run = UnsafeRawPointer(input + (iy &* p.input.width &+ x0) &* cin).loadUnaligned(as: SIMD16<Int8>.self)
                UnsafeMutableRawPointer(slot).storeBytes(of: run, as: SIMD16<Int8>.self)
            } else {
                for kx in 0..<p.kernelW {
                    let ix = x0 &+ kx &* p.dilationW, to = slot + kx &* cin
                    let inside = ix >= 0 && ix < p.input.width
                    for c in 0..<cin { to[c] = inside ? input[(iy &* p.input.width &+ ix) &* cin &+ c] : zeroPoint }
                }
            }
        }
    }
}

/// A stem's `convQuads8` filter (`Conv2DParams.takesStemPath`) rewritten for a patch GEMM: block
/// `b`'s quad `q` of the patch is the 32 bytes at `weights + (b · 32 + q) · 32`, lane `j` (output
/// channel `8b + j`) byte `e` holding the weight of patch position `4q + e` = (tap, channel) in
/// (ky, kx, c) order. `weights` holds 8 blocks · 32 quads · 32 bytes, zeroed by the caller, so
/// positions past the patch and channels past the output meet zero weights. Example: a 3×3 RGB
/// stem's 27 positions fill 7 quads, the last one's fourth byte zero.
@inlinable
public func stemPatchWeights(_ p: Conv2DParams, filter packed: UnsafePointer<Int8>, into weights: UnsafeMutablePointer<Int8>) {
    let cin = p.input.channels, taps = p.kernelH * p.kernelW
    for b in 0..<(p.output.channels + 7) / 8 {
        let rows = min(8, p.output.channels - 8 * b)
        for t in 0..<taps {
            for c in 0..<cin {
                let position = t * cin + c, to = weights + (b * 32 + position / 4) * 32 + position % 4
                for j in 0..<rows { to[4 * j] = packed[(b * taps + t) * 32 + 4 * j + c] }
            }
        }
    }
}
