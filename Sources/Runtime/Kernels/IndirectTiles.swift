#if arch(arm64)  // used by the NEON packed kernels (elsewhere its stack buffers would pull in the stack protector's guard)
/// The tap pointers of an indirect GEMM convolution (XNNPACK's IGEMM), for the packed kernels'
/// microkernels: output tiles of four pixels (of a row, or of the whole image for a pointwise
/// run), and per tile and tap the four input pixels' first bytes, gathered once per run of tiles
/// into a stack table and shared by every group and block of output channels. A tap in the
/// padding points at bytes equal to the input zero point (the kernels take `zp·Σw` off the bias,
/// so they cancel); a pixel whose reads (`readBytes` from its group's first channel) would pass the
/// end of the input points into a copy of the input's last pixels followed by zeros (past a
/// group's channels the weights are zero), so a microkernel tests nothing per tap. A pointwise
/// run (`runStart`) reads its pixels straight from the input, without a table, up to that tail.
/// Example: a 3 × 3 convolution of a 7 × 7 image: 14 tiles × 9 taps × 4 pointers, gathered once
/// for all 8 block pairs of a 4-group, 128-channel layer.
public struct IndirectTiles {
    /// The stack buffers: bytes (the zero-point padding, then the input's copied tail) and pointers.
    public static let byteCount = 4096, pointerCount = 512
    public let taps: Int, readBytes: Int, tailPixels: Int, fits: Bool
    /// Where output pixel 0 of a pointwise run reads (`runStart(_:)`), nil for the table.
    public let runStart: Int?
    public let geometry: TileGeometry
    public let tileCount: Int

    @inlinable
    public init(_ p: Conv2DParams, readBytes: Int) {
        let cinPerGroup = p.input.channels / p.groups, channels = p.input.channels
        taps = p.kernelH * p.kernelW
        self.readBytes = readBytes
        // The last pixels, from which the last group's reads (`readBytes − cinPerGroup` past its
        // channels) may pass the end of the input.
        tailPixels = channels > 0 && readBytes > cinPerGroup
            ? min((channels - cinPerGroup + readBytes + channels - 1) / channels, p.input.height * p.input.width) : 0
        fits = channels > 0 && taps <= 64 && 2 * (channels + readBytes) + tailPixels * channels <= Self.byteCount
        runStart = Self.runStart(p)
        let pixelCount = p.output.height * p.output.width
        geometry = TileGeometry(pointwise: runStart != nil, width: p.output.width, pixelCount: pixelCount)
        tileCount = runStart != nil ? (pixelCount + 3) / 4 : p.output.height * ((p.output.width + 3) / 4)
    }

    /// Where a 1 × 1, stride-1 convolution's output pixel 0 reads, when output pixel `i` reads
    /// input pixel `start + i` (the image as one run: `isPointwise`, or one row of it run in place,
    /// whose `padTop` is minus the row); nil otherwise.
    @inlinable
    public static func runStart(_ p: Conv2DParams) -> Int? {
        guard p.kernelH == 1, p.kernelW == 1, p.strideH == 1, p.strideW == 1, p.padLeft == 0, p.input.width == p.output.width,
              p.padTop <= 0, p.output.height - p.padTop <= p.input.height else { return nil }
        return -p.padTop * p.input.width
    }

    /// Calls `body` with every tile once: first the pointwise run's tiles before its tail with no
    /// table (`nil`: tile `t` reads pixels `runStart + 4t …` of `input`), then runs of at most
    /// `pointerCount / (4 · taps)` tiles with their table (tile by tile, tap by tap, 4 pointers).
    @inlinable @inline(__always)
    public func forEachRun(_ p: Conv2DParams, input: UnsafePointer<Int8>,
                           _ body: (Range<Int>, UnsafePointer<UnsafePointer<Int8>>?) -> Void) {
        let channels = p.input.channels, pixelCount = p.output.height * p.output.width
        let inputBytes = p.input.height * p.input.width * channels
        var directTiles = 0
        if let runStart {
            let safePixels = p.input.height * p.input.width - tailPixels - runStart  // output pixels before the tail
            directTiles = safePixels >= pixelCount ? tileCount : safePixels >= 4 ? (safePixels - 4) / 4 + 1 : 0
            if directTiles > 0 { body(0..<directTiles, nil) }
        }
        if directTiles == tileCount { return }
        let tilesPerRun = Self.pointerCount / (4 * taps)
        let tailStart = input + (inputBytes - tailPixels * channels)
        var byteStore = InlineArray<4096, Int8>(repeating: 0)
        var pointerStore = InlineArray<512, UnsafePointer<Int8>>(repeating: input)
        withUnsafeMutableBytes(of: &byteStore) { bytes in
        withUnsafeMutableBytes(of: &pointerStore) { pointerBytes in
            let padding = bytes.baseAddress!.assumingMemoryBound(to: Int8.self), tail = padding + (channels + readBytes)
            padding.update(repeating: Int8(truncatingIfNeeded: p.inputZeroPoint), count: channels + readBytes)
            tail.update(from: tailStart, count: tailPixels * channels)
            let pointers = pointerBytes.baseAddress!.assumingMemoryBound(to: UnsafePointer<Int8>.self)
            @inline(__always) func source(_ s: UnsafePointer<Int8>?) -> UnsafePointer<Int8> {
                guard let s else { return UnsafePointer(padding) }
                return s >= tailStart ? UnsafePointer(tail) + (s - tailStart) : s
            }
            var firstTile = directTiles
            while firstTile < tileCount {
                let endTile = min(tileCount, firstTile + tilesPerRun)
                var k = 0
                for t in firstTile..<endTile {
                    let (first, pixels) = geometry.pixels(ofTile: t)
                    if let runStart {
                        let s0 = input + (runStart &+ first) &* channels, last = pixels &- 1
                        (pointers[k], pointers[k &+ 1]) = (source(s0), source(s0 + min(1, last) &* channels))
                        (pointers[k &+ 2], pointers[k &+ 3]) = (source(s0 + min(2, last) &* channels), source(s0 + min(3, last) &* channels))
                        k &+= 4
                        continue
                    }
                    let oy = first / p.output.width, ox = first &- oy &* p.output.width
                    for ky in 0..<p.kernelH {
                        for kx in 0..<p.kernelW {
                            let (s0, s1, s2, s3) = p.tapSources(input, oy: oy, ox: ox, pixels: pixels, ky: ky, kx: kx, channelOffset: 0)
                            (pointers[k], pointers[k &+ 1], pointers[k &+ 2], pointers[k &+ 3]) = (source(s0), source(s1), source(s2), source(s3))
                            k &+= 4
                        }
                    }
                }
                body(firstTile..<endTile, UnsafePointer(pointers))
                firstTile = endTile
            }
        }
        }
    }
}

/// Where the tiles of `IndirectTiles` lie: four pixels of a row (`width` wide), or of the whole
/// image taken as one run for a pointwise convolution.
public struct TileGeometry {
    public let pointwise: Bool, width: Int, pixelCount: Int

    @inlinable
    public init(pointwise: Bool, width: Int, pixelCount: Int) {
        (self.pointwise, self.width, self.pixelCount) = (pointwise, width, pixelCount)
    }

    /// The output pixel index of tile `t`'s first pixel and its pixel count (1–4). Example: width
    /// 7: tile 3 is row 1's pixels 4–6, (11, 3).
    @inlinable @inline(__always)
    public func pixels(ofTile t: Int) -> (Int, Int) {
        if pointwise { return (t &* 4, min(4, pixelCount &- t &* 4)) }
        let perRow = (width &+ 3) >> 2
        let oy = t / perRow, ox = (t &- oy &* perRow) &* 4
        return (oy &* width &+ ox, min(4, width &- ox))
    }
}
#endif
