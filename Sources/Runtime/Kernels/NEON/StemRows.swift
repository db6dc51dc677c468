#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// A stem (`Conv2DParams.takesStemPath`: one group of 1–3 input channels) as an indirect GEMM over
/// its kernel rows, for the packed NEON kernels' microkernels: each kernel row of an output pixel
/// is a run of KW·Cin bytes that lie together in an input row (a 3 × 3 RGB stem: 9 bytes, 3
/// quads), so a tap is a kernel row. Per output row, the KH input rows it reads are copied once
/// into stack rows with the zero point in the padding on both sides (and past them), so every run
/// is read straight, 16 bytes at most a read, with no test at the edges; the filter is rewritten
/// once per call as KH taps of ⌈KW·Cin / 4⌉ quads a block (`convQuads8`'s 32-byte quads, zero past
/// each run). `init` fails where it does not apply: fewer than 64 tiles (its 20 KB of zeroed stack
/// buffers would cost much per tile; a stem run in place, one output row a call, keeps the patch
/// GEMM), outputs not whole blocks of eight, horizontal dilation, runs over 8 quads, or buffers too
/// small. Example: 96 × 96 × 3 → 48 × 48 × 8 at stride 2: 12 tiles a row, 3 taps of 3 quads each.
public struct StemRows {
    public let quads: Int, tapBytes: Int, blockBytes: Int, rowBytes: Int, tilesPerRow: Int

    @inlinable
    public init?(_ p: Conv2DParams) {
        let cin = p.input.channels
        quads = (p.kernelW * cin + 3) / 4
        let readBytes = 16 * ((quads + 3) / 4)
        tapBytes = 32 * quads
        blockBytes = p.kernelH * tapBytes
        tilesPerRow = (p.output.width + 3) / 4
        rowBytes = (max((tilesPerRow * 4 - 1) * p.strideW * cin + readBytes, (p.padLeft + p.input.width) * cin) + 15) & ~15
        guard p.takesStemPath, p.output.height * p.output.width >= 256, p.output.channels % 8 == 0, p.dilationW == 1, quads <= 8,
              (p.output.channels / 8) * blockBytes <= 8192, p.kernelH * rowBytes <= 8192, 4 * p.kernelH * tilesPerRow <= 512
        else { return nil }
    }

    /// Calls `body(weights, tiles, pointers, starts, requantizers)` once per output row: the
    /// rewritten filter (block `b` `b · blockBytes` on), the row's tiles (`TileGeometry` numbering,
    /// four pixels of a row), their pointers (tile by tile, kernel row by kernel row, four pixels'
    /// runs), and per block, prepared once for all rows, its starting sums `bias − zp·Σw`
    /// (`starts[2b]`, `starts[2b + 1]`) and its requantization (`requantizers[b]`).
    @inlinable @inline(__always)
    public func forEachRow(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                           bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                           _ body: (UnsafePointer<Int8>, Range<Int>, UnsafePointer<UnsafePointer<Int8>>, UnsafePointer<int32x4_t>,
                                    UnsafePointer<Requantize8NEON>) -> Void) {
        let cin = p.input.channels, runBytes = p.kernelW * cin, taps = p.kernelH * p.kernelW
        var weightStore = InlineArray<8192, Int8>(repeating: 0)
        var rowStore = InlineArray<8192, Int8>(repeating: 0)
        var pointerStore = InlineArray<512, UnsafePointer<Int8>>(repeating: input)
        var startStore = InlineArray<16, int32x4_t>(repeating: vdupq_n_s32(0))
        var requantizerStore = Requantize8NEON.blocks(of: p, requantization)
        withUnsafeMutableBytes(of: &weightStore) { weightBytes in
        withUnsafeMutableBytes(of: &rowStore) { rowBuffer in
        withUnsafeMutableBytes(of: &pointerStore) { pointerBytes in
        withUnsafeMutableBytes(of: &startStore) { startBytes in
        withUnsafeMutableBytes(of: &requantizerStore) { requantizerBytes in
            let weights = weightBytes.baseAddress!.assumingMemoryBound(to: Int8.self)
            let rows = rowBuffer.baseAddress!.assumingMemoryBound(to: Int8.self)
            let pointers = pointerBytes.baseAddress!.assumingMemoryBound(to: UnsafePointer<Int8>.self)
            let starts = startBytes.baseAddress!.assumingMemoryBound(to: int32x4_t.self)
            let requantizers = UnsafePointer(requantizerBytes.baseAddress!.assumingMemoryBound(to: Requantize8NEON.self))
            for b in 0..<p.output.channels / 8 {  // block b, row ky, quad q: lane j's byte e is run position 4q + e = kx·Cin + c
                for ky in 0..<p.kernelH {
                    for r in 0..<runBytes {
                        let to = weights + b * blockBytes + ky * tapBytes + (r / 4) * 32 + r % 4, t = ky * p.kernelW + r / cin
                        for j in 0..<8 { to[4 * j] = packed[(b * taps + t) * 32 + 4 * j + r % cin] }
                    }
                }
            }
            for b in 0..<p.output.channels / 8 {
                (starts[2 * b], starts[2 * b + 1]) = blockStartNEON(weights + b * blockBytes, quadCount: p.kernelH * quads,
                                                                    inputZeroPoint: p.inputZeroPoint, bias: bias, channel: 8 * b, rows: 8)
            }
            // Tile t's kernel row ky reads row ky's runs at pixels 4t … (the last repeated past the row).
            let step = p.strideW * cin
            var k = 0
            for t in 0..<tilesPerRow {
                let last = min(4, p.output.width - 4 * t) - 1
                for ky in 0..<p.kernelH {
                    let row = UnsafePointer(rows + ky * rowBytes) + 4 * t * step
                    (pointers[k], pointers[k + 1]) = (row, row + min(1, last) * step)
                    (pointers[k + 2], pointers[k + 3]) = (row + min(2, last) * step, row + min(3, last) * step)
                    k += 4
                }
            }
            let zeroPointByte = UInt8(truncatingIfNeeded: p.inputZeroPoint)
            let zeroPoints = SIMD16<UInt8>(repeating: zeroPointByte)
            for oy in 0..<p.output.height {
                for ky in 0..<p.kernelH {  // input row iy, padded with the zero point
                    let row = rows + ky * rowBytes, iy = oy * p.strideH - p.padTop + ky * p.dilationH
                    for i in stride(from: 0, to: rowBytes, by: 16) { UnsafeMutableRawPointer(row + i).storeBytes(of: zeroPoints, as: SIMD16<UInt8>.self) }
                    if iy >= 0 && iy < p.input.height {
                        UnsafeMutableRawPointer(row + p.padLeft * cin).copyMemory(from: input + iy * p.input.width * cin,
                                                                                  byteCount: p.input.width * cin)
                    }
                }
                body(UnsafePointer(weights), oy * tilesPerRow..<(oy + 1) * tilesPerRow, UnsafePointer(pointers), UnsafePointer(starts),
                     requantizers)
            }
        }
        }
        }
        }
        }
    }
}
#endif
