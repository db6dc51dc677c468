#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `conv2d_s8` with AVX2 (standard and grouped convolutions, any kernel, stride, dilation and
/// padding): the same contract, layouts and bytes. Output pixels go in pairs along each row and,
/// per group, output channels eight at a time: sums stay in vector registers across all taps
/// (`RowSums4`, sixteen input channels per step, each widened weight vector serving both pixels)
/// and are reduced once; each pixel's eight sums are requantized together (`Requantize8AVX2`).
public func conv2d_s8_avx2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                           bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                           output: UnsafeMutablePointer<Int8>) {
    let cinPerGroup = p.input.channels / p.groups
    let coutPerGroup = p.output.channels / p.groups
    let rowStride = p.kernelH * p.kernelW * cinPerGroup
    let offset = inputOffsetAVX2(p.inputZeroPoint)
    /// Requantizes the `rows` sums in `acc` into output channels `o ..< o + rows` at `out`.
    func store(_ acc: SIMD8<Int32>, rows: Int, _ o: Int, _ out: UnsafeMutablePointer<Int8>) {
        if rows == 8 {
            let y = Requantize8AVX2(requantization, channel: o, bias: nil, outputZeroPoint: p.outputZeroPoint,
                                    min: p.activationMin, max: p.activationMax)(unsafeBitCast(acc, to: __m256i.self))
            UnsafeMutableRawPointer(out + o).storeBytes(of: y, as: SIMD8<Int8>.self)
        } else {
            storeRequantizedTailAVX2(unsafeBitCast(acc, to: __m256i.self), bias: nil, requantization, channel: o, rows: rows,
                                     outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax, to: out)
        }
    }
    for oy in 0..<p.output.height {
        // Output pixels go in pairs along the row, sharing every widened weight vector.
        var ox = 0
        while ox < p.output.width {
            let pixels = min(2, p.output.width - ox)
            let outA = output + (oy * p.output.width + ox) * p.output.channels, outB = outA + p.output.channels
            for group in 0..<p.groups {
                var o = group * coutPerGroup
                let end = o + coutPerGroup
                while o < end {
                    let rows = min(8, end - o)
                    /// Row `r` of this block's filter at a tap, clamped to the block's last row (whose
                    /// repeated sums are dropped).
                    func row(_ w: UnsafePointer<Int8>, _ r: Int) -> UnsafePointer<Int8> { w + min(r, rows - 1) * rowStride }
                    var lowA = RowSums4(), highA = RowSums4(), lowB = RowSums4(), highB = RowSums4()
                    for ky in 0..<p.kernelH {
                        let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                        if iy < 0 || iy >= p.input.height { continue }
                        let line = input + iy * p.input.width * p.input.channels + group * cinPerGroup
                        for kx in 0..<p.kernelW {
                            let ixA = ox * p.strideW - p.padLeft + kx * p.dilationW, ixB = ixA + p.strideW
                            let validA = ixA >= 0 && ixA < p.input.width
                            let validB = pixels == 2 && ixB >= 0 && ixB < p.input.width
                            let w = filter + ((o * p.kernelH + ky) * p.kernelW + kx) * cinPerGroup
                            let srcA = line + ixA * p.input.channels, srcB = line + ixB * p.input.channels
                            if validA && validB {
                                lowA.add(srcA, and: srcB, into: &lowB, row(w, 0), row(w, 1), row(w, 2), row(w, 3),
                                         count: cinPerGroup, offset: offset, zeroPoint: p.inputZeroPoint)
                                if rows > 4 {
                                    highA.add(srcA, and: srcB, into: &highB, row(w, 4), row(w, 5), row(w, 6), row(w, 7),
                                              count: cinPerGroup, offset: offset, zeroPoint: p.inputZeroPoint)
                                }
                            } else if validA || validB {
                                let src = validA ? srcA : srcB
                                if validA {
                                    lowA.add(src, row(w, 0), row(w, 1), row(w, 2), row(w, 3), count: cinPerGroup, offset: offset, zeroPoint: p.inputZeroPoint)
                                    if rows > 4 { highA.add(src, row(w, 4), row(w, 5), row(w, 6), row(w, 7), count: cinPerGroup, offset: offset, zeroPoint: p.inputZeroPoint) }
                                } else {
                                    lowB.add(src, row(w, 0), row(w, 1), row(w, 2), row(w, 3), count: cinPerGroup, offset: offset, zeroPoint: p.inputZeroPoint)
                                    if rows > 4 { highB.add(src, row(w, 4), row(w, 5), row(w, 6), row(w, 7), count: cinPerGroup, offset: offset, zeroPoint: p.inputZeroPoint) }
                                }
                            }
                        }
                    }
                    var accA = SIMD8(lowHalf: lowA.total, highHalf: rows > 4 ? highA.total : .zero)
                    var accB = SIMD8(lowHalf: lowB.total, highHalf: rows > 4 ? highB.total : .zero)
                    if let bias {
                        for r in 0..<rows {
                            accA[r] &+= bias[o + r]
                            accB[r] &+= bias[o + r]
                        }
                    }
                    store(accA, rows: rows, o, outA)
                    if pixels == 2 { store(accB, rows: rows, o, outB) }
                    o += rows
                }
            }
            ox += pixels
        }
    }
}
#endif
