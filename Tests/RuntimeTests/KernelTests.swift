import Foundation
import Q8Build
import Testing
@testable import Runtime

/// Small cases with the arithmetic in comments, and random cases against float math.
@Suite struct KernelTests {
    func requant(_ m: [Int32], _ s: [Int32], _ body: (ChannelRequantization) -> Void) {
        m.withUnsafeBufferPointer { mp in s.withUnsafeBufferPointer { sp in body(ChannelRequantization(multipliers: mp.baseAddress!, shifts: sp.baseAddress!)) } }
    }

    func pixel(_ c: Int) -> ImageShape { ImageShape(height: 1, width: 1, channels: c) }

    @Test func convWorkedExample() {
        // acc = bias 4 + (10 − (−2)) · 3 = 40; × 2^30/2^31 · 2^−2 = 40/8 = 5; + output zero point −1 = 4.
        let p = Conv2DParams(input: pixel(1), output: pixel(1), kernelH: 1, kernelW: 1, strideH: 1, strideW: 1,
                             dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, groups: 1,
                             inputZeroPoint: -2, outputZeroPoint: -1, activationMin: -128, activationMax: 127)
        var out: [Int8] = [0]
        requant([1 << 30], [-2]) { conv2d_s8(p, input: [10], filter: [3], bias: [4], requantization: $0, output: &out) }
        #expect(out == [4])
        // The clamp bites: activationMin 10 lifts 4 to 10.
        var clamped = p
        clamped.activationMin = 10
        requant([1 << 30], [-2]) { conv2d_s8(clamped, input: [10], filter: [3], bias: [4], requantization: $0, output: &out) }
        #expect(out == [10])
    }

    @Test func mulWorkedExamples() {
        // (3 − 1)·(−4 − 0) = −8; multiplier 2^30 (one half) with shift 1 is ×1: −8, + output zero point 2 = −6.
        // (127 − 1)·(127 − 0) = 16,002 saturates to 127; (−128 − 1)·(0 − 0) = 0 → 2.
        let p = MulParams(input1ZeroPoint: 1, input2ZeroPoint: 0, outputZeroPoint: 2, outputMultiplier: 1 << 30, outputShift: 1,
                          activationMin: -128, activationMax: 127)
        var out = [Int8](repeating: 0, count: 3)
        mul_s8(p, input1: [3, 127, -128], input2: [-4, 127, 0], input2Count: 3, count: 3, output: &out)
        #expect(out == [-6, 127, 2])
        // One value broadcast to all, and the clamp at [0, 10]: (3 − 1)·7 = 14 → 16 → 10; (0 − 1)·7 = −7 → −5 → 0.
        var clamped = p
        (clamped.activationMin, clamped.activationMax) = (0, 10)
        var two = [Int8](repeating: 0, count: 2)
        mul_s8(clamped, input1: [3, 0], input2: [7], input2Count: 1, count: 2, output: &two)
        #expect(two == [10, 0])
    }

    @Test func depthwiseMultiplierAndGroups() {
        // Channels [3, −1], multiplier 2, weights [1, 2, 3, 4] → acc [3, 6, −3, −4]; multiplier 2^30,
        // shift 1 (×1) keeps them.
        var p = Conv2DParams(input: pixel(2), output: pixel(4), kernelH: 1, kernelW: 1, strideH: 1, strideW: 1,
                             dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, groups: 2,
                             inputZeroPoint: 0, outputZeroPoint: 0, activationMin: -128, activationMax: 127)
        var out = [Int8](repeating: 0, count: 4)
        let m = [Int32](repeating: 1 << 30, count: 4), s = [Int32](repeating: 1, count: 4)
        requant(m, s) { dwconv2d_s8(p, input: [3, -1], filter: [1, 2, 3, 4], bias: nil, requantization: $0, output: &out) }
        #expect(out == [3, 6, -3, -4])
        // The same as a grouped conv: 2 groups, filter [4, 1, 1, 1].
        requant(m, s) { conv2d_s8(p, input: [3, -1], filter: [1, 2, 3, 4], bias: nil, requantization: $0, output: &out) }
        #expect(out == [3, 6, -3, -4])
        // Grouped 1×1: 4 channels [1, 2, 3, 4], 2 groups of 2, weights [[1, 1], [1, −1]] → [3, −1].
        p.input = pixel(4)
        p.output = pixel(2)
        var two = [Int8](repeating: 0, count: 2)
        requant([1 << 30, 1 << 30], [1, 1]) { conv2d_s8(p, input: [1, 2, 3, 4], filter: [1, 1, 1, -1], bias: nil, requantization: $0, output: &two) }
        #expect(two == [3, -1])
    }

    @Test func poolsMeanAndSoftmax() {
        // Average of [1, 2] = 1.5 → (3 + 1) / 2 = 2; of [−1, −2] → (−3 − 1) / 2 = −2 (halves away from zero).
        let shape = ImageShape(height: 1, width: 2, channels: 2)
        let p = Pool2DParams(input: shape, output: pixel(2), kernelH: 1, kernelW: 2, strideH: 1, strideW: 2,
                             padTop: 0, padLeft: 0, activationMin: -128, activationMax: 127)
        var out: [Int8] = [0, 0]
        avg_pool2d_s8(p, input: [1, -1, 2, -2], output: &out)
        #expect(out == [2, -2])
        max_pool2d_s8(p, input: [1, -1, 2, -2], output: &out)
        #expect(out == [2, -1])
        // Mean with equal quantization in and out (ratio 1: 2^30, shift 1) takes the same folded
        // scaling as TFLM: the means 1.5 and −1.5 round toward +∞ to 2 and −1 (a truncating Σ / n
        // would give 1 and −1).
        mean_s8(MeanParams(input: shape, inputZeroPoint: 5, outputZeroPoint: 5, multiplier: 1 << 30, shift: 1),
                input: [1, -1, 2, -2], output: &out)
        #expect(out == [2, -1])
        // Mean requantized: scale ratio 1 (2^30, shift 1), input zero point 1, output zero point 0:
        // 1/n folds into the multiplier (2^30 · 2^1 / 2, shift 0), so Σ(x − 1) = 1 and −5 go through
        // the doubling high multiply, whose ties round toward +∞: 0.5 → 1, −2.5 → −2.
        mean_s8(meanParams(input: shape, inputQuantization: AffineQuantization(scale: 0.5, zeroPoint: 1),
                           outputQuantization: AffineQuantization(scale: 0.5, zeroPoint: 0)),
                input: [1, -1, 2, -2], output: &out)
        #expect(out == [1, -2])
        // Softmax of four equal values: 1/4 = 64/256 → 64 − 128 = −64.
        var soft = [Int8](repeating: 0, count: 4)
        softmax_s8(softmaxParams(beta: 1, inputScale: 0.1, rows: 1, depth: 4), input: [7, 7, 7, 7], output: &soft)
        #expect(soft == [-64, -64, -64, -64])
    }

    @Test func layoutKernels() {
        // Pad a 1×1×2 image by one row on top and one column right with fill −3.
        var padded = [Int8](repeating: 0, count: 8)
        pad_s8(input: [5, 6], inputShape: pixel(2), outputShape: ImageShape(height: 2, width: 2, channels: 2), top: 1, left: 0,
               fill: -3, output: &padded)
        #expect(padded == [-3, -3, -3, -3, 5, 6, -3, -3])
        var shuffled = [Int8](repeating: 0, count: 6)
        channel_shuffle_s8(input: [0, 1, 2, 3, 4, 5], pixels: 1, channels: 6, groups: 2, output: &shuffled)
        #expect(shuffled == [0, 3, 1, 4, 2, 5])
        // Concat [a0 a1] and [b0] per pixel, two pixels.
        var cat = [Int8](repeating: 0, count: 6)
        concat_s8(input: [1, 2, 3, 4], channels: 2, pixels: 2, outputChannels: 3, channelOffset: 0, output: &cat)
        concat_s8(input: [9, 8], channels: 1, pixels: 2, outputChannels: 3, channelOffset: 2, output: &cat)
        #expect(cat == [1, 2, 9, 3, 4, 8])
        var looked = [Int8](repeating: 0, count: 3)
        let table = (0..<256).map { Int8(127 - $0) }  // entry q + 128 holds −1 − q
        lut_s8(input: [-128, 0, 127], count: 3, table: table, output: &looked)
        #expect(looked == [127, -1, -128])
        var q = [Int8](repeating: 0, count: 5)
        quantize_f32_s8(input: [0, 0.25, -100, .nan, 0.125], count: 5, scale: 0.25, zeroPoint: 3, output: &q)
        #expect(q == [3, 4, -128, 3, 4])  // 0.125 / 0.25 = 0.5 rounds away from zero to 1
    }

    @Test func transposeConvScatter() {
        // Input [1, 2] along W (zero point 0), kernel [1, 10, 100], stride 2, no padding:
        // acc [1, 10, 102, 20, 200]; ×1 requantization, clamp to int8 → [1, 10, 102, 20, 127].
        let p = Conv2DParams(input: ImageShape(height: 1, width: 2, channels: 1), output: ImageShape(height: 1, width: 5, channels: 1),
                             kernelH: 1, kernelW: 3, strideH: 1, strideW: 2, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0,
                             groups: 1, inputZeroPoint: 0, outputZeroPoint: 0, activationMin: -128, activationMax: 127)
        var out = [Int8](repeating: 0, count: 5), scratch = [Int32](repeating: 7, count: 5)
        requant([1 << 30], [1]) { transpose_conv2d_s8(p, input: [1, 2], filter: [1, 10, 100], bias: nil, requantization: $0, scratch: &scratch, output: &out) }
        #expect(out == [1, 10, 102, 20, 127])
    }

    /// Random convolutions against float math: the int8 result is within one step of
    /// `round(real / outputScale) + zeroPoint` computed in double from the same integers.
    @Test func convolutionsWithinOneStepOfFloat() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let groups = [1, 2, 3][Int.random(in: 0..<3, using: &rng)]
            let cin = groups * Int.random(in: 1...4, using: &rng), cout = groups * Int.random(in: 1...4, using: &rng)
            let k = Int.random(in: 1...3, using: &rng), stride = Int.random(in: 1...2, using: &rng)
            let input = ImageShape(height: Int.random(in: k...7, using: &rng), width: Int.random(in: k...7, using: &rng), channels: cin)
            let output = ImageShape(height: (input.height - k) / stride + 1, width: (input.width - k) / stride + 1, channels: cout)
            let inQ = AffineQuantization(scale: Float.random(in: 0.01...0.1, using: &rng), zeroPoint: Int.random(in: -128...127, using: &rng))
            let outQ = AffineQuantization(scale: Float.random(in: 0.05...0.5, using: &rng), zeroPoint: Int.random(in: -20...20, using: &rng))
            let wScales = (0..<cout).map { _ in Float.random(in: 0.001...0.02, using: &rng) }
            let x = (0..<input.count).map { _ in Int8.random(in: -128...127, using: &rng) }
            let w = (0..<(cout * k * k * cin / groups)).map { _ in Int8.random(in: -127...127, using: &rng) }
            let bias = (0..<cout).map { _ in Int32.random(in: -5000...5000, using: &rng) }
            let (m, s) = channelMultipliers(inputScale: inQ.scale, weightScales: wScales, outputScale: outQ.scale)
            let p = Conv2DParams(input: input, output: output, kernelH: k, kernelW: k, strideH: stride, strideW: stride,
                                 dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, groups: groups,
                                 inputZeroPoint: Int32(inQ.zeroPoint), outputZeroPoint: Int32(outQ.zeroPoint), activationMin: -128, activationMax: 127)
            var y = [Int8](repeating: 0, count: output.count)
            requant(m, s) { conv2d_s8(p, input: x, filter: w, bias: bias, requantization: $0, output: &y) }
            let cinG = cin / groups, coutG = cout / groups
            for oy in 0..<output.height { for ox in 0..<output.width { for o in 0..<cout {
                var acc = Double(bias[o])
                for ky in 0..<k { for kx in 0..<k { for i in 0..<cinG {
                    let xv = Double(x[((oy * stride + ky) * input.width + ox * stride + kx) * cin + (o / coutG) * cinG + i]) - Double(inQ.zeroPoint)
                    acc += xv * Double(w[((o * k + ky) * k + kx) * cinG + i])
                } } }
                let real = acc * Double(inQ.scale) * Double(wScales[o])
                let expected = min(max((real / Double(outQ.scale)).rounded() + Double(outQ.zeroPoint), -128), 127)
                #expect(abs(Double(y[(oy * output.width + ox) * cout + o]) - expected) <= 1)
            } } }
        }
    }

    /// Random adds and softmaxes against float math, within one step.
    @Test func addAndSoftmaxWithinOneStepOfFloat() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let a = AffineQuantization(scale: Float.random(in: 0.01...0.2, using: &rng), zeroPoint: Int.random(in: -128...127, using: &rng))
            let b = AffineQuantization(scale: Float.random(in: 0.01...0.2, using: &rng), zeroPoint: Int.random(in: -128...127, using: &rng))
            let o = AffineQuantization(scale: Float.random(in: 0.02...0.4, using: &rng), zeroPoint: Int.random(in: -128...127, using: &rng))
            let xs = (0..<64).map { _ in Int8.random(in: -128...127, using: &rng) }, ys = (0..<64).map { _ in Int8.random(in: -128...127, using: &rng) }
            var out = [Int8](repeating: 0, count: 64)
            add_s8(addParams(input1: a, input2: b, output: o, activation: .none), input1: xs, input2: ys, input2Count: 64, count: 64, output: &out)
            for i in 0..<64 {
                let real = Double(a.dequantize(xs[i])) + Double(b.dequantize(ys[i]))
                let expected = min(max((real / Double(o.scale)).rounded() + Double(o.zeroPoint), -128), 127)
                #expect(abs(Double(out[i]) - expected) <= 1)
            }
            let depth = Int.random(in: 2...40, using: &rng), scale = Float.random(in: 0.01...0.3, using: &rng)
            let logits = (0..<depth).map { _ in Int8.random(in: -128...127, using: &rng) }
            var probs = [Int8](repeating: 0, count: depth)
            softmax_s8(softmaxParams(beta: 1, inputScale: scale, rows: 1, depth: depth), input: logits, output: &probs)
            let exps = logits.map { Foundation.exp(Double(scale) * Double($0)) }
            let total = exps.reduce(0, +)
            for i in 0..<depth {
                let expected = min(max((exps[i] / total * 256).rounded() - 128, -128), 127)
                #expect(abs(Double(probs[i]) - expected) <= 1)
            }
        }
    }

    /// Rows longer than 256 take `exp` from a table (`softmaxRowTabulated`): the same bytes as the
    /// row computed value by value, over random rows, scales and betas. Odd entries off by one
    /// (`table[k] = exp(−k − k % 2)`) fail 40 of 40 rows (every entry off by one scales every
    /// exponential alike, which softmax does not see).
    @Test func tabulatedSoftmaxRowsEqualTheDirectOnes() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let depth = Int.random(in: 257...1200, using: &rng)
            let p = softmaxParams(beta: Float.random(in: 0.5...2, using: &rng), inputScale: Float.random(in: 0.05...0.3, using: &rng),
                                  rows: 1, depth: depth)
            // A few values near the largest carry the mass (so that outputs are not all −128), the
            // rest lie anywhere below them.
            let top = Int8.random(in: 0...127, using: &rng)
            let logits = (0..<depth).map { _ in
                Int.random(in: 0..<depth, using: &rng) < 12 ? top - Int8.random(in: 0...24, using: &rng) : Int8.random(in: -128...(top - 25), using: &rng)
            }
            var tabulated = [Int8](repeating: 0, count: depth), direct = [Int8](repeating: 0, count: depth)
            softmax_s8(p, input: logits, output: &tabulated)
            logits.withUnsafeBufferPointer { x in
                direct.withUnsafeMutableBufferPointer { y in
                    let largest = Int32(logits.max()!)
                    softmaxRow(p, x.baseAddress!, y.baseAddress!, largest: largest) { softmaxExponential(p, $0) }
                }
            }
            #expect(tabulated == direct)
            #expect(direct.contains { $0 > -128 })
        }
    }
}
