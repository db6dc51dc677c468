/// Bilinear resize of an int8 image, TFLite's `ResizeBilinearInteger` bit for bit (10-bit
/// fractions, products in 64 bits, rounded half away from zero at 2^20). `rows` holds three int32
/// per output row, `(y0, y1, dy)`: the source rows above and below and the source position
/// minus 1024 · y0 (in [−1024, 2048] after validation; outside [0, 1024] only where y0 = y1, at
/// the edges under half-pixel centres); `cols` the same per output column. The converter and the
/// importer precompute them (`bilinearTaps`).
/// Example: input row [0, 100], 2 → 4 columns with half-pixel centres: cols (0, 0, −256),
/// (0, 1, 256), (0, 1, 768), (1, 1, 256) give [0, 25, 75, 100].
public func resize_bilinear_s8(input: UnsafePointer<Int8>, inputShape: ImageShape, outputShape: ImageShape,
                               rows: UnsafePointer<Int32>, cols: UnsafePointer<Int32>, output: UnsafeMutablePointer<Int8>) {
    // 64-bit values only through `widen`, literals and wrapping operators: 32-bit Embedded targets
    // allocate for generic conversions and shifts (FixedPoint.swift).
    let c = inputShape.channels, w = inputShape.width
    for y in 0..<outputShape.height {
        let y0 = Int(rows[3 * y]), y1 = Int(rows[3 * y + 1]), dy = widen(rows[3 * y + 2])
        for x in 0..<outputShape.width {
            let x0 = Int(cols[3 * x]), x1 = Int(cols[3 * x + 1]), dx = widen(cols[3 * x + 2])
            let w00 = (1024 &- dy) &* (1024 &- dx), w10 = dy &* (1024 &- dx), w01 = (1024 &- dy) &* dx, w11 = dy &* dx
            let p00 = input + (y0 * w + x0) * c, p10 = input + (y1 * w + x0) * c
            let p01 = input + (y0 * w + x1) * c, p11 = input + (y1 * w + x1) * c
            let out = output + (y * outputShape.width + x) * c
            for k in 0..<c {
                let sum = widen(Int32(p00[k])) &* w00 &+ widen(Int32(p10[k])) &* w10 &+ widen(Int32(p01[k])) &* w01 &+ widen(Int32(p11[k])) &* w11
                let rounded = (sum &+ (sum > 0 ? 524_288 : -524_288)) / 1_048_576  // ± 2^19, then / 2^20 toward zero
                out[k] = Int8(truncatingIfNeeded: Int32(truncatingIfNeeded: rounded))
            }
        }
    }
}
