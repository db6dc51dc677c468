import CPUFeatures
import Q8Build
import Testing
import KernelsAVX2
import KernelsAVXVNNI
import KernelsAVX512VNNI
import Runtime

/// The AVX2 kernels against the reference: 10,000 random cases per kernel (for convolutions: kernel sizes 1–5,
/// strides and dilations 1–3, paddings, groups, channel counts 1–40 that straddle the 8- and
/// 16-lane steps, depth multipliers 1, 2, 3, 16 and 32, one case in eight with inputs or weights at an extreme,
/// zero points, multipliers, shifts, biases and clamps all random), each output guarded by 64
/// bytes on both sides; adds with and without a broadcast second input, pools, means likewise).
/// Byte-for-byte equality, or the test fails.
@Suite(.enabled(if: minnow_cpu_has_avx2() != 0, "this CPU has no AVX2"))
struct AVX2DifferentialTests {
    static let cases = 10_000
    static let guardBytes = 64

    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
        mutating func int32(_ r: ClosedRange<Int32>) -> Int32 { Int32(int(Int(r.lowerBound)...Int(r.upperBound))) }
        mutating func int8s(_ n: Int, _ lo: Int32, _ hi: Int32) -> [Int8] {
            switch int(0...7) {
            case 0: return [Int8](repeating: Int8(lo), count: n)
            case 1: return [Int8](repeating: Int8(hi), count: n)
            default: return (0..<n).map { _ in Int8(int32(lo...hi)) }
            }
        }
    }

    /// Runs `kernel` into a buffer with guard bytes and returns the output with its guards.
    func guarded(_ n: Int, _ kernel: (UnsafeMutablePointer<Int8>) -> Void) -> [Int8] {
        var buffer = [Int8](repeating: 0x5A, count: n + 2 * Self.guardBytes)
        buffer.withUnsafeMutableBufferPointer { kernel($0.baseAddress! + Self.guardBytes) }
        return buffer
    }

    struct Constants {
        var multipliers: [Int32], shifts: [Int32], bias: [Int32]?
        /// Typical values, or in one case of four anything the validator accepts (multipliers 0
        /// or [2^30, 2^31), shifts [−31, 30], any bias), where only wrapping arithmetic is exact.
        init(_ channels: Int, _ r: inout Random) {
            let hostile = r.int(0...3) == 0
            multipliers = (0..<channels).map { _ in hostile ? hostileMultiplier(&r) : r.int32((1 << 30)...Int32.max) }
            shifts = (0..<channels).map { _ in hostile ? r.int32(-31...30) : r.int32(-18...1) }
            bias = r.int(0...3) == 0 ? nil : (0..<channels).map { _ in hostile ? r.int32(Int32.min...Int32.max) : r.int32(-60_000...60_000) }
        }
        func with<T>(_ body: (ChannelRequantization, UnsafePointer<Int32>?) -> T) -> T {
            multipliers.withUnsafeBufferPointer { m in
                shifts.withUnsafeBufferPointer { s in
                    let q = ChannelRequantization(multipliers: m.baseAddress!, shifts: s.baseAddress!)
                    guard let bias else { return body(q, nil) }
                    return bias.withUnsafeBufferPointer { body(q, $0.baseAddress!) }
                }
            }
        }
    }

    func randomConv(_ r: inout Random, depthwise: Bool, outputsPerGroup: ClosedRange<Int> = 1...11) -> Conv2DParams {
        let kh = r.int(1...5), kw = r.int(1...5), sh = r.int(1...3), sw = r.int(1...3), dh = r.int(1...3), dw = r.int(1...3)
        let h = r.int(1...12), w = r.int(1...12)
        let groups = depthwise ? 1 : r.int(1...3)
        let cin = depthwise ? r.int(1...40) : groups * r.int(1...40)
        let multipliers = [1, 1, 1, 2, 3, 16, 32]
        let cout = depthwise ? cin * multipliers[r.int(0...6)] : groups * r.int(outputsPerGroup)
        let padTop = r.int(0...(kh - 1)), padLeft = r.int(0...(kw - 1))
        let oh = max(1, (h + 2 * padTop - dh * (kh - 1) - 1) / sh + 1), ow = max(1, (w + 2 * padLeft - dw * (kw - 1) - 1) / sw + 1)
        let wholeRange = r.int(0...3) == 0  // no activation, or ReLU6 over the output's whole range: kernels may skip the clamp
        let lo = wholeRange ? -128 : r.int32(-128...0), hi = wholeRange ? 127 : r.int32(lo...127)
        return Conv2DParams(input: ImageShape(height: h, width: w, channels: cin), output: ImageShape(height: oh, width: ow, channels: cout),
                            kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw,
                            padTop: padTop, padLeft: padLeft, groups: depthwise ? cin : groups,
                            inputZeroPoint: r.int32(-128...127), outputZeroPoint: r.int32(-128...127),
                            activationMin: lo, activationMax: hi)
    }

    func checkConvolutions(depthwise: Bool, seed: UInt64, singleChannel: Bool = false, pixelSteps: Bool = false, threeByThree: Bool = false,
                           depthwiseKernel: KernelSet.Convolution = { dwconv2d_s8_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }) {
        var r = Random(state: seed)
        var failures = 0
        for _ in 0..<Self.cases {
            var p = randomConv(&r, depthwise: depthwise)
            if singleChannel {  // one input channel, any multiplier up to 64, as `dwconv2dDotProduct`'s patch path takes
                p.input.channels = 1
                p.groups = 1
                p.output.channels = r.int(1...64)
            }
            if threeByThree {  // 3 × 3, horizontal stride 1 or 2, dilation 1: the AVX-512 kernel that slides columns
                let channels = r.int(1...70)
                (p.input.channels, p.output.channels, p.groups) = (channels, channels, channels)
                (p.kernelH, p.kernelW, p.strideW, p.dilationW) = (3, 3, r.int(1...2), 1)
                (p.padTop, p.padLeft) = (r.int(0...2), r.int(0...2))
                p.output.height = max(1, (p.input.height + 2 * p.padTop - p.dilationH * 2 - 1) / p.strideH + 1)
                p.output.width = max(1, (p.input.width + 2 * p.padLeft - 3) / p.strideW + 1)
            }
            if pixelSteps {  // 8 or 16 channels, horizontal stride 1: the AVX-512 depthwise kernel's several pixels per step
                let channels = [8, 16][r.int(0...1)]
                (p.input.channels, p.output.channels, p.groups, p.strideW) = (channels, channels, channels, 1)
                p.output.width = max(1, p.input.width + 2 * p.padLeft - p.dilationW * (p.kernelW - 1))
            }
            let input = r.int8s(p.input.height * p.input.width * p.input.channels, -128, 127)
            let filterCount = depthwise ? p.kernelH * p.kernelW * p.output.channels
                                        : p.output.channels * p.kernelH * p.kernelW * (p.input.channels / p.groups)
            let filter = r.int8s(filterCount, -127, 127)
            let constants = Constants(p.output.channels, &r)
            let n = p.output.height * p.output.width * p.output.channels
            let (want, got) = constants.with { q, bias in
                input.withUnsafeBufferPointer { x in
                    filter.withUnsafeBufferPointer { f in
                        depthwise
                            ? (guarded(n) { dwconv2d_s8(p, input: x.baseAddress!, filter: f.baseAddress!, bias: bias, requantization: q, output: $0) },
                               guarded(n) { depthwiseKernel(p, x.baseAddress!, f.baseAddress!, bias, q, $0) })
                            : (guarded(n) { conv2d_s8(p, input: x.baseAddress!, filter: f.baseAddress!, bias: bias, requantization: q, output: $0) },
                               guarded(n) { conv2d_s8_avx2(p, input: x.baseAddress!, filter: f.baseAddress!, bias: bias, requantization: q, output: $0) })
                    }
                }
            }
            if want != got {
                failures += 1
                if failures <= 3 { Issue.record("differs: \(p)") }
            }
        }
        #expect(failures == 0, "\(failures) of \(Self.cases) cases differ")
    }

    @Test func conv2dMatchesReference() { checkConvolutions(depthwise: false, seed: 1) }

    /// A packed convolution kernel (`convQuads8` filter) against `conv2d_s8`; up to 40 outputs per
    /// group, so that several blocks of eight, and pairs of them, are covered.
    func checkPackedConvolutions(seed: UInt64, stems: Bool = false, _ kernel: (Conv2DParams, UnsafePointer<Int8>, UnsafePointer<Int8>, UnsafePointer<Int32>?,
                                                          ChannelRequantization, UnsafeMutablePointer<Int8>) -> Void) {
        var r = Random(state: seed)
        var failures = 0
        for _ in 0..<Self.cases {
            var p = randomConv(&r, depthwise: false, outputsPerGroup: 1...40)
            if stems {  // one group of 1–3 channels, as `Conv2DParams.takesStemPath` takes
                p.input.channels = r.int(1...3)
                p.output.channels = r.int(1...40)
                p.groups = 1
            }
            let cinG = p.input.channels / p.groups
            let scratch = GuardedScratch(bytes: Conv2DOp.scratchBytes(inputsPerGroup: cinG, packed: true))
            defer { scratch.check() }
            p.scratch = scratch.start
            let input = r.int8s(p.input.height * p.input.width * p.input.channels, -128, 127)
            let filter = r.int8s(p.output.channels * p.kernelH * p.kernelW * cinG, -127, 127)
            var packed = [Int8](repeating: 0, count: ConvQuads8Layout(p).count)
            packed.withUnsafeMutableBufferPointer { out in
                packConvQuads8(filter, outChannels: p.output.channels, kernelH: p.kernelH, kernelW: p.kernelW,
                               inputsPerGroup: cinG, groups: p.groups, into: out.baseAddress!)
            }
            let constants = Constants(p.output.channels, &r)
            let n = p.output.height * p.output.width * p.output.channels
            let (want, got) = constants.with { q, bias in
                input.withUnsafeBufferPointer { x in
                    (filter.withUnsafeBufferPointer { f in
                        guarded(n) { conv2d_s8(p, input: x.baseAddress!, filter: f.baseAddress!, bias: bias, requantization: q, output: $0) } },
                     packed.withUnsafeBufferPointer { f in
                        guarded(n) { kernel(p, x.baseAddress!, f.baseAddress!, bias, q, $0) } })
                }
            }
            if want != got {
                failures += 1
                if failures <= 3 { Issue.record("differs: \(p)") }
            }
        }
        #expect(failures == 0, "\(failures) of \(Self.cases) cases differ")
    }

    @Test func packedConv2dMatchesReference() {
        checkPackedConvolutions(seed: 8) { conv2d_s8_packed_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
    }

    @Test(.enabled(if: minnow_cpu_has_avxvnni() != 0, "this CPU has no AVX-VNNI"))
    func packedConv2dAVXVNNIMatchesReference() {
        checkPackedConvolutions(seed: 9) { conv2d_s8_packed_avxvnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
    }

    @Test(.enabled(if: minnow_cpu_has_avx512vnni() != 0, "this CPU has no AVX-512 VNNI"))
    func packedConv2dAVX512VNNIMatchesReference() {
        checkPackedConvolutions(seed: 10) { conv2d_s8_packed_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
    }

    /// Stems (one group of 1–3 channels) take their own path (one GEMM over the patch) in every set.
    @Test func packedStemConvsMatchReference() {
        checkPackedConvolutions(seed: 12, stems: true) { conv2d_s8_packed_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
        if minnow_cpu_has_avxvnni() != 0 {
            checkPackedConvolutions(seed: 13, stems: true) { conv2d_s8_packed_avxvnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
        }
        if minnow_cpu_has_avx512vnni() != 0 {
            checkPackedConvolutions(seed: 14, stems: true) { conv2d_s8_packed_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
        }
    }

    @Test func depthwiseMatchesReference() {
        checkConvolutions(depthwise: true, seed: 2)
        checkConvolutions(depthwise: true, seed: 23, singleChannel: true)
    }

    /// The VNNI sets' depthwise kernels (their one-input-channel path and the rest), on general
    /// depthwise convolutions, on one-input-channel ones and (AVX-512) on 8 or 16 channels with
    /// horizontal stride 1 and on 3 × 3 filters with horizontal stride 1 or 2 and dilation 1.
    @Test(.enabled(if: minnow_cpu_has_avxvnni() != 0 || minnow_cpu_has_avx512vnni() != 0, "this CPU has no VNNI"))
    func depthwiseVNNIMatchesReference() {
        if minnow_cpu_has_avxvnni() != 0 {
            let kernel: KernelSet.Convolution = { dwconv2d_s8_avxvnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
            checkConvolutions(depthwise: true, seed: 15, depthwiseKernel: kernel)
            checkConvolutions(depthwise: true, seed: 16, singleChannel: true, depthwiseKernel: kernel)
        }
        if minnow_cpu_has_avx512vnni() != 0 {
            let kernel: KernelSet.Convolution = { dwconv2d_s8_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
            checkConvolutions(depthwise: true, seed: 17, depthwiseKernel: kernel)
            checkConvolutions(depthwise: true, seed: 18, singleChannel: true, depthwiseKernel: kernel)
            checkConvolutions(depthwise: true, seed: 19, pixelSteps: true, depthwiseKernel: kernel)
            checkConvolutions(depthwise: true, seed: 22, threeByThree: true, depthwiseKernel: kernel)
        }
    }

    /// A dense kernel against `fully_connected_s8` on random sizes (up to 600 inputs, 45 outputs).
    func checkFullyConnected(seed: UInt64, _ kernel: KernelSet.Dense) {
        var r = Random(state: seed)
        var failures = 0
        for _ in 0..<Self.cases {
            let lo = r.int32(-128...0)
            let p = FullyConnectedParams(inputs: r.int(1...600), outputs: r.int(1...45), inputZeroPoint: r.int32(-128...127),
                                         outputZeroPoint: r.int32(-128...127), activationMin: lo, activationMax: r.int32(lo...127))
            let input = r.int8s(p.inputs, -128, 127), filter = r.int8s(p.inputs * p.outputs, -127, 127)
            let constants = Constants(p.outputs, &r)
            let (want, got) = constants.with { q, bias in
                input.withUnsafeBufferPointer { x in
                    filter.withUnsafeBufferPointer { f in
                        (guarded(p.outputs) { fully_connected_s8(p, input: x.baseAddress!, filter: f.baseAddress!, bias: bias, requantization: q, output: $0) },
                         guarded(p.outputs) { kernel(p, x.baseAddress!, f.baseAddress!, bias, q, $0) })
                    }
                }
            }
            if want != got { failures += 1 }
        }
        #expect(failures == 0, "\(failures) of \(Self.cases) cases differ")
    }

    @Test func fullyConnectedMatchesReference() {
        checkFullyConnected(seed: 3) { fully_connected_s8_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
    }

    @Test(.enabled(if: minnow_cpu_has_avx512vnni() != 0, "this CPU has no AVX-512 VNNI"))
    func fullyConnectedAVX512VNNIMatchesReference() {
        checkFullyConnected(seed: 21) { fully_connected_s8_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
    }

    /// Runs `want` and `got` on guarded outputs of `n` bytes for `cases` random cases; counts differences.
    func differences(seed: UInt64, _ body: (inout Random) -> (n: Int, want: (UnsafeMutablePointer<Int8>) -> Void,
                                                           got: (UnsafeMutablePointer<Int8>) -> Void)) -> Int {
        var r = Random(state: seed)
        var failures = 0
        for _ in 0..<Self.cases {
            let c = body(&r)
            if guarded(c.n, c.want) != guarded(c.n, c.got) { failures += 1 }
        }
        return failures
    }

    /// An add kernel against `add_s8` on random shapes, broadcasts and parameters.
    func addDifferences(seed: UInt64, _ kernel: @escaping KernelSet.Add) -> Int {
        differences(seed: seed) { r in
            let channels = r.int(1...70), pixels = r.int(1...9)
            let broadcast = r.int(0...3) == 0, hostile = r.int(0...3) == 0
            let wholeRange = r.int(0...3) == 0
            let lo = wholeRange ? -128 : r.int32(-128...0), hi = wholeRange ? 127 : r.int32(lo...127)
            let p = AddParams(input1ZeroPoint: r.int32(-128...127), input2ZeroPoint: r.int32(-128...127), outputZeroPoint: r.int32(-128...127),
                              input1Multiplier: hostile ? hostileMultiplier(&r) : r.int32((1 << 30)...Int32.max),
                              input1Shift: hostile ? r.int32(-31...30) : r.int32(-6...0),
                              input2Multiplier: hostile ? hostileMultiplier(&r) : r.int32((1 << 30)...Int32.max),
                              input2Shift: hostile ? r.int32(-31...30) : r.int32(-6...0),
                              outputMultiplier: hostile ? hostileMultiplier(&r) : r.int32((1 << 30)...Int32.max),
                              outputShift: hostile ? r.int32(-31...30) : r.int32(-24...(-12)),
                              activationMin: lo, activationMax: hi)
            let count = channels * pixels, count2 = broadcast ? channels : count
            let a = r.int8s(count, -128, 127), b = r.int8s(count2, -128, 127)
            return (count, { y in a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { z in
                        add_s8(p, input1: x.baseAddress!, input2: z.baseAddress!, input2Count: count2, count: count, output: y) } } },
                    { y in a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { z in
                        kernel(p, x.baseAddress!, z.baseAddress!, count2, count, y) } } })
        }
    }

    @Test func addMatchesReference() {
        let failures = addDifferences(seed: 4) { add_s8_avx2($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }
        #expect(failures == 0, "\(failures) of \(Self.cases) cases differ")
    }

    @Test(.enabled(if: minnow_cpu_has_avx512vnni() != 0, "this CPU has no AVX-512 VNNI"))
    func addAVX512MatchesReference() {
        let failures = addDifferences(seed: 20) { add_s8_avx512($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }
        #expect(failures == 0, "\(failures) of \(Self.cases) cases differ")
    }

    func randomPool(_ r: inout Random) -> Pool2DParams {
        let kh = r.int(1...4), kw = r.int(1...4), sh = r.int(1...3), sw = r.int(1...3), h = r.int(1...12), w = r.int(1...12)
        let padTop = r.int(0...(kh - 1)), padLeft = r.int(0...(kw - 1))
        let oh = max(1, (h + 2 * padTop - kh) / sh + 1), ow = max(1, (w + 2 * padLeft - kw) / sw + 1)
        let c = r.int(1...70), lo = r.int32(-128...0)
        return Pool2DParams(input: ImageShape(height: h, width: w, channels: c), output: ImageShape(height: oh, width: ow, channels: c),
                            kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padTop: padTop, padLeft: padLeft,
                            activationMin: lo, activationMax: r.int32(lo...127))
    }

    @Test func poolsMatchReference() {
        for isMax in [true, false] {
            let failures = differences(seed: isMax ? 5 : 6) { r in
                let p = randomPool(&r)
                let x = r.int8s(p.input.height * p.input.width * p.input.channels, -128, 127)
                let n = p.output.height * p.output.width * p.output.channels
                return (n, { y in x.withUnsafeBufferPointer { isMax ? max_pool2d_s8(p, input: $0.baseAddress!, output: y)
                                                                     : avg_pool2d_s8(p, input: $0.baseAddress!, output: y) } },
                        { y in x.withUnsafeBufferPointer { isMax ? max_pool2d_s8_avx2(p, input: $0.baseAddress!, output: y)
                                                                  : avg_pool2d_s8_avx2(p, input: $0.baseAddress!, output: y) } })
            }
            #expect(failures == 0, "\(isMax ? "max" : "average") pool: \(failures) of \(Self.cases) cases differ")
        }
    }

    @Test func meanMatchesReference() {
        let failures = differences(seed: 7) { r in
            let shape = ImageShape(height: r.int(1...10), width: r.int(1...10), channels: r.int(1...100))
            let hostile = r.int(0...3) == 0
            let p = MeanParams(input: shape, inputZeroPoint: r.int32(-128...127), outputZeroPoint: r.int32(-128...127),
                               multiplier: hostile ? hostileMultiplier(&r) : r.int32((1 << 30)...Int32.max),
                               shift: hostile ? r.int32(-31...30) : r.int32(-8...0))
            let x = r.int8s(shape.height * shape.width * shape.channels, -128, 127)
            return (shape.channels, { y in x.withUnsafeBufferPointer { mean_s8(p, input: $0.baseAddress!, output: y) } },
                    { y in x.withUnsafeBufferPointer { mean_s8_avx2(p, input: $0.baseAddress!, output: y) } })
        }
        #expect(failures == 0, "\(failures) of \(Self.cases) cases differ")
    }
}

/// A multiplier the validator accepts, often on its bounds: 0, 2^30, 2^31 − 1 or any between.
func hostileMultiplier(_ r: inout AVX2DifferentialTests.Random) -> Int32 {
    switch r.int(0...3) {
    case 0: return 0
    case 1: return 1 << 30
    case 2: return Int32.max
    default: return r.int32((1 << 30)...Int32.max)
    }
}

/// A kernel's scratch as the arena gives it (16-byte aligned, not always 32), followed by guard
/// bytes that `check` expects untouched.
final class GuardedScratch {
    let buffer: UnsafeMutableRawBufferPointer
    let bytes: Int
    var start: UnsafeMutableRawPointer { buffer.baseAddress! + 16 }

    init(bytes: Int) {
        self.bytes = bytes
        buffer = .allocate(byteCount: bytes + 16 + 64, alignment: 32)
        buffer.initializeMemory(as: UInt8.self, repeating: 0x5A)
    }

    func check() {
        let guardBytes = (16 + bytes)..<buffer.count
        #expect(guardBytes.allSatisfy { buffer[$0] == 0x5A } && (0..<16).allSatisfy { buffer[$0] == 0x5A },
                "a kernel wrote outside its \(bytes) scratch bytes")
        buffer.deallocate()
    }
}
