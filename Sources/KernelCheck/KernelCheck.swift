// The differential kernel check every kernel set runs, on the host (`Tests/KernelsTests`:
// `KernelSet.avx2`, `.avxvnni`, `.avx512vnni` as the CPU has them) and on each firmware target
// (`Firmware/Swift/KernelCheck.swift`: the DSP twins on the Cortex-M4, NEON on AArch64, SDOT where
// the CPU has it): random shapes, strides, dilations, paddings, groups, zero points, multipliers,
// shifts, biases and clamps from one generator, run through the reference kernel and the set's
// twin; the outputs must match byte for byte and the 16 guard bytes on each side of both outputs
// must stay untouched. Embedded-clean (no allocation: buffers come from the caller's scratch), so
// the firmware compiles this file into its own module.
#if canImport(Runtime)
import Runtime
#endif

/// xorshift32: small, fast, the same sequence on every target.
struct CheckRandom {
    var state: UInt32
    mutating func next() -> UInt32 {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return state
    }
    /// Uniform in lo...hi (small ranges).
    mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt32(hi - lo + 1)) }
    mutating func int32(_ lo: Int32, _ hi: Int32) -> Int32 { lo &+ Int32(bitPattern: next() % UInt32(bitPattern: hi &- lo &+ 1)) }
}

/// Bump allocation inside the caller's scratch buffer.
struct CheckScratch {
    var base: UnsafeMutableRawPointer
    var used = 0
    let size: Int
    mutating func take(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let start = (used + 15) & ~15
        guard start + bytes <= size else { return nil }
        used = start + bytes
        return base + start
    }
}

let guardByte: Int8 = 0x5A
let guardSize = 16

/// Fills `n` int8 values: random, or (one case in eight) all at one extreme.
func fillInt8(_ p: UnsafeMutablePointer<Int8>, _ n: Int, _ r: inout CheckRandom, lo: Int32, hi: Int32) {
    let mode = r.int(0, 7)
    for i in 0..<n {
        p[i] = Int8(truncatingIfNeeded: mode == 0 ? lo : mode == 1 ? hi : r.int32(lo, hi))
    }
}

/// Per-channel constants for `channels` outputs, in the ranges the converter produces.
func fillRequantization(_ s: inout CheckScratch, _ channels: Int, _ r: inout CheckRandom)
    -> (ChannelRequantization, UnsafeMutablePointer<Int32>?)? {
    guard let m = s.take(4 * channels), let sh = s.take(4 * channels), let b = s.take(4 * channels) else { return nil }
    let multipliers = m.assumingMemoryBound(to: Int32.self), shifts = sh.assumingMemoryBound(to: Int32.self)
    let bias = b.assumingMemoryBound(to: Int32.self)
    for c in 0..<channels {
        multipliers[c] = r.int32(1 << 30, Int32.max)
        shifts[c] = r.int32(-12, 1)
        bias[c] = r.int32(-60000, 60000)
    }
    return (ChannelRequantization(multipliers: multipliers, shifts: shifts), r.int(0, 3) == 0 ? nil : bias)
}

/// Two guarded output buffers of `n` bytes.
func outputs(_ s: inout CheckScratch, _ n: Int) -> (UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>)? {
    guard let a = s.take(n + 2 * guardSize), let b = s.take(n + 2 * guardSize) else { return nil }
    a.initializeMemory(as: Int8.self, repeating: guardByte, count: n + 2 * guardSize)
    b.initializeMemory(as: Int8.self, repeating: guardByte, count: n + 2 * guardSize)
    return (a.assumingMemoryBound(to: Int8.self) + guardSize, b.assumingMemoryBound(to: Int8.self) + guardSize)
}

/// True when both outputs match byte for byte and every guard byte is intact.
func same(_ a: UnsafeMutablePointer<Int8>, _ b: UnsafeMutablePointer<Int8>, _ n: Int) -> Bool {
    for i in 0..<n where a[i] != b[i] { return false }
    for i in 1...guardSize {
        if a[-i] != guardByte || b[-i] != guardByte || a[n - 1 + i] != guardByte || b[n - 1 + i] != guardByte { return false }
    }
    return true
}

/// Output rows (or columns) of a window over `input` padded by `pad` on both sides; at least 1.
func windowOutput(_ input: Int, pad: Int, kernel: Int, dilation: Int, stride: Int) -> Int {
    max(1, (input + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1)
}

/// A random convolution: standard, grouped or (with `depthwise`) depthwise; one depthwise case in
/// four is 3 × 3 at horizontal stride 1 or 2 with dilation 1, one in eight 3 × 3 at any stride and
/// dilation.
func randomConv(_ r: inout CheckRandom, depthwise: Bool) -> Conv2DParams {
    var kh = r.int(1, 5), kw = r.int(1, 5)
    let sh = r.int(1, 3)
    var sw = r.int(1, 3)
    let dh = r.int(1, 3)
    var dw = r.int(1, 3)
    let shape = depthwise ? r.int(0, 7) : 7
    if shape < 2 {  // one depthwise case in four the 3 × 3 shape the sets slide columns for
        (kh, kw, sw, dw) = (3, 3, r.int(1, 2), 1)
    } else if shape == 2 {  // one in eight 3 × 3 at any stride and dilation
        (kh, kw) = (3, 3)
    }
    let h = r.int(1, 11), w = r.int(1, 11)
    let groups = depthwise ? 1 : r.int(1, 3)
    let cin = depthwise ? r.int(1, 27) : groups * r.int(1, 13)
    let cout = depthwise ? cin * (r.int(0, 4) == 0 ? 2 : 1) : groups * r.int(1, 9)
    let padTop = r.int(0, kh - 1), padLeft = r.int(0, kw - 1)
    let oh = windowOutput(h, pad: padTop, kernel: kh, dilation: dh, stride: sh)
    let ow = windowOutput(w, pad: padLeft, kernel: kw, dilation: dw, stride: sw)
    let lo = r.int32(-128, 0)
    return Conv2DParams(input: ImageShape(height: h, width: w, channels: cin), output: ImageShape(height: oh, width: ow, channels: cout),
                        kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw,
                        padTop: padTop, padLeft: padLeft, groups: depthwise ? cin : groups,
                        inputZeroPoint: r.int32(-128, 127), outputZeroPoint: r.int32(-128, 127),
                        activationMin: lo, activationMax: r.int32(lo, 127))
}

/// The kernels `checkKernels` compares with the reference, in the order of its failure counts.
public enum CheckedKernel: Int {
    case conv2d, depthwiseConv2d, fullyConnected, add, maxPool2d, averagePool2d, mean, conv2dPacked, mul, lookup
    public static let count = 10

    /// Whether `set`'s slot for this kernel holds a twin of the reference (`Kernel.isTwin`).
    public func isTwin(in set: KernelSet) -> Bool {
        switch self {
        case .conv2d: return set.conv2d.isTwin
        case .depthwiseConv2d: return set.depthwiseConv2d.isTwin
        case .fullyConnected: return set.fullyConnected.isTwin
        case .add: return set.add.isTwin
        case .maxPool2d: return set.maxPool2d.isTwin
        case .averagePool2d: return set.averagePool2d.isTwin
        case .mean: return set.mean.isTwin
        case .conv2dPacked: return set.conv2dPacked?.isTwin ?? false
        case .mul: return set.mul.isTwin
        case .lookup: return set.lookup.isTwin
        }
    }
}

/// Runs `cases` random cases of each of `candidate`'s twins of a reference kernel against it, in
/// `scratch` (`size` bytes; 256 KiB is enough); returns each `CheckedKernel`'s failures in
/// `failures[kind.rawValue]`, −1 for a kernel the set keeps the reference of.
public func checkKernels(_ candidate: KernelSet, scratch: UnsafeMutableRawPointer, size: Int, cases: Int,
                         seed: UInt32, failures: UnsafeMutablePointer<Int>) {
    var r = CheckRandom(state: seed | 1)
    for index in 0..<CheckedKernel.count {
        let kernel = CheckedKernel(rawValue: index)!
        failures[index] = kernel.isTwin(in: candidate) ? 0 : -1
        if !kernel.isTwin(in: candidate) { continue }
        for _ in 0..<cases {
            var s = CheckScratch(base: scratch, size: size)
            switch kernel {
            case .conv2dPacked:
                if !checkPackedConv(&s, &r, candidate) { failures[index] += 1 }
            case .mean:
                if !checkMean(&s, &r, candidate) { failures[index] += 1 }
            case .mul:
                if !checkMul(&s, &r, candidate) { failures[index] += 1 }
            case .lookup:
                if !checkLookup(&s, &r, candidate) { failures[index] += 1 }
            case .conv2d, .depthwiseConv2d:
                let p = randomConv(&r, depthwise: kernel == .depthwiseConv2d)
                let filterCount = kernel == .conv2d ? p.output.channels * p.kernelH * p.kernelW * (p.input.channels / p.groups)
                                            : p.kernelH * p.kernelW * p.output.channels
                let n = p.output.height * p.output.width * p.output.channels
                guard let x = s.take(p.input.height * p.input.width * p.input.channels), let f = s.take(filterCount),
                      let (q, bias) = fillRequantization(&s, p.output.channels, &r), let (a, b) = outputs(&s, n) else {
                    failures[index] += 1
                    continue
                }
                let input = x.assumingMemoryBound(to: Int8.self), filter = f.assumingMemoryBound(to: Int8.self)
                fillInt8(input, p.input.height * p.input.width * p.input.channels, &r, lo: -128, hi: 127)
                fillInt8(filter, filterCount, &r, lo: -127, hi: 127)
                if kernel == .conv2d {
                    conv2d_s8(p, input: input, filter: filter, bias: bias, requantization: q, output: a)
                    candidate.conv2d.run(p, input, filter, bias, q, b)
                } else {
                    dwconv2d_s8(p, input: input, filter: filter, bias: bias, requantization: q, output: a)
                    candidate.depthwiseConv2d.run(p, input, filter, bias, q, b)
                }
                if !same(a, b, n) { failures[index] += 1 }
            case .fullyConnected:
                let lo = r.int32(-128, 0)
                let p = FullyConnectedParams(inputs: r.int(1, 400), outputs: r.int(1, 40), inputZeroPoint: r.int32(-128, 127),
                                             outputZeroPoint: r.int32(-128, 127), activationMin: lo, activationMax: r.int32(lo, 127))
                guard let x = s.take(p.inputs), let f = s.take(p.inputs * p.outputs),
                      let (q, bias) = fillRequantization(&s, p.outputs, &r), let (a, b) = outputs(&s, p.outputs) else {
                    failures[index] += 1
                    continue
                }
                let input = x.assumingMemoryBound(to: Int8.self), filter = f.assumingMemoryBound(to: Int8.self)
                fillInt8(input, p.inputs, &r, lo: -128, hi: 127)
                fillInt8(filter, p.inputs * p.outputs, &r, lo: -127, hi: 127)
                fully_connected_s8(p, input: input, filter: filter, bias: bias, requantization: q, output: a)
                candidate.fullyConnected.run(p, input, filter, bias, q, b)
                if !same(a, b, p.outputs) { failures[index] += 1 }
            case .add:
                let lo = r.int32(-128, 0)
                let p = AddParams(input1ZeroPoint: r.int32(-128, 127), input2ZeroPoint: r.int32(-128, 127), outputZeroPoint: r.int32(-128, 127),
                                  input1Multiplier: r.int32(1 << 30, Int32.max), input1Shift: r.int32(-6, 0),
                                  input2Multiplier: r.int32(1 << 30, Int32.max), input2Shift: r.int32(-6, 0),
                                  outputMultiplier: r.int32(1 << 30, Int32.max), outputShift: r.int32(-24, -12),
                                  activationMin: lo, activationMax: r.int32(lo, 127))
                let channels = r.int(1, 70), count = channels * r.int(1, 9)
                let count2 = r.int(0, 3) == 0 ? channels : count
                guard let x = s.take(count), let y = s.take(count2), let (a, b) = outputs(&s, count) else {
                    failures[index] += 1
                    continue
                }
                let input1 = x.assumingMemoryBound(to: Int8.self), input2 = y.assumingMemoryBound(to: Int8.self)
                fillInt8(input1, count, &r, lo: -128, hi: 127)
                fillInt8(input2, count2, &r, lo: -128, hi: 127)
                add_s8(p, input1: input1, input2: input2, input2Count: count2, count: count, output: a)
                candidate.add.run(p, input1, input2, count2, count, b)
                if !same(a, b, count) { failures[index] += 1 }
            case .maxPool2d, .averagePool2d:
                let kh = r.int(1, 4), kw = r.int(1, 4), sh = r.int(1, 3), sw = r.int(1, 3), h = r.int(1, 12), w = r.int(1, 12)
                let padTop = r.int(0, kh - 1), padLeft = r.int(0, kw - 1), c = r.int(1, 70), lo = r.int32(-128, 0)
                let oh = max(1, (h + 2 * padTop - kh) / sh + 1), ow = max(1, (w + 2 * padLeft - kw) / sw + 1)
                let p = Pool2DParams(input: ImageShape(height: h, width: w, channels: c), output: ImageShape(height: oh, width: ow, channels: c),
                                     kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padTop: padTop, padLeft: padLeft,
                                     activationMin: lo, activationMax: r.int32(lo, 127))
                let n = oh * ow * c
                guard let x = s.take(h * w * c), let (a, b) = outputs(&s, n) else {
                    failures[index] += 1
                    continue
                }
                let input = x.assumingMemoryBound(to: Int8.self)
                fillInt8(input, h * w * c, &r, lo: -128, hi: 127)
                if kernel == .maxPool2d {
                    max_pool2d_s8(p, input: input, output: a)
                    candidate.maxPool2d.run(p, input, b)
                } else {
                    avg_pool2d_s8(p, input: input, output: a)
                    candidate.averagePool2d.run(p, input, b)
                }
                if !same(a, b, n) { failures[index] += 1 }
            }
        }
    }
}

/// One random case of the packed convolution (`convQuads8` filter, up to 40 outputs and 64 inputs per group)
/// against `conv2d_s8`: true when the bytes match.
func checkPackedConv(_ s: inout CheckScratch, _ r: inout CheckRandom, _ candidate: KernelSet) -> Bool {
    var p = randomConv(&r, depthwise: false)
    p.output.channels = p.groups * r.int(1, 40)
    if r.int(0, 1) == 0 {  // one case in two 14–64 channels per group (the SDOT tiles' 16-byte chunks) under at most 3 × 3
        p.input.channels = p.groups * r.int(14, 64)
        p.kernelH = min(p.kernelH, 3)
        p.kernelW = min(p.kernelW, 3)
        p.padTop = min(p.padTop, p.kernelH - 1)
        p.padLeft = min(p.padLeft, p.kernelW - 1)
        p.output.height = windowOutput(p.input.height, pad: p.padTop, kernel: p.kernelH, dilation: p.dilationH, stride: p.strideH)
        p.output.width = windowOutput(p.input.width, pad: p.padLeft, kernel: p.kernelW, dilation: p.dilationW, stride: p.strideW)
    }
    if r.int(0, 7) == 0 {  // one case in eight a stem over at least 256 output pixels (the SDOT kernel's padded-row GEMM)
        p.groups = 1
        p.input.channels = r.int(1, 3)
        p.output.channels = 8 * r.int(1, 4)
        p.dilationW = 1
        p.input.height = r.int(16, 32)
        p.input.width = r.int(16, 32)
        p.strideH = r.int(1, 2)
        p.strideW = r.int(1, 2)
        p.padTop = r.int(0, p.kernelH - 1)
        p.padLeft = r.int(0, p.kernelW - 1)
        p.output.height = windowOutput(p.input.height, pad: p.padTop, kernel: p.kernelH, dilation: p.dilationH, stride: p.strideH)
        p.output.width = windowOutput(p.input.width, pad: p.padLeft, kernel: p.kernelW, dilation: p.dilationW, stride: p.strideW)
    } else if r.int(0, 3) == 0 {  // one case in four pointwise (1 × 1, stride 1, no padding: the image as one run of pixels)
        (p.kernelH, p.kernelW, p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft) = (1, 1, 1, 1, 1, 1, 0, 0)
        p.output.height = p.input.height
        p.output.width = p.input.width
    }
    let byRows = r.int(0, 3) == 0  // one case in four one output row a call, as a convolution run in place calls it
    let cinG = p.input.channels / p.groups, taps = p.kernelH * p.kernelW
    let filterCount = p.output.channels * taps * cinG
    let packedCount = ConvQuads8Layout(p).count
    let n = p.output.height * p.output.width * p.output.channels
    guard let x = s.take(p.input.height * p.input.width * p.input.channels), let f = s.take(filterCount),
          let pk = s.take(packedCount), let (q, bias) = fillRequantization(&s, p.output.channels, &r),
          let (a, b) = outputs(&s, n) else { return false }
    let input = x.assumingMemoryBound(to: Int8.self), filter = f.assumingMemoryBound(to: Int8.self)
    let packed = pk.assumingMemoryBound(to: Int8.self)
    fillInt8(input, p.input.height * p.input.width * p.input.channels, &r, lo: -128, hi: 127)
    fillInt8(filter, filterCount, &r, lo: -127, hi: 127)
    packConvQuads8(filter, outChannels: p.output.channels, kernelH: p.kernelH, kernelW: p.kernelW, inputsPerGroup: cinG,
                   groups: p.groups, into: packed)
    conv2d_s8(p, input: input, filter: filter, bias: bias, requantization: q, output: a)
    if byRows {
        for y in 0..<p.output.height {
            candidate.conv2dPacked?.run(p.rows(y..<y + 1, scratch: nil), input, packed, bias, q, b + y * p.output.width * p.output.channels)
        }
    } else {
        candidate.conv2dPacked?.run(p, input, packed, bias, q, b)
    }
    return same(a, b, n)
}

/// One random case of the mean over H and W (1–400 pixels, 1–70 channels, any zero points and
/// scale ratio) against `mean_s8`: true when the bytes match.
func checkMean(_ s: inout CheckScratch, _ r: inout CheckRandom, _ candidate: KernelSet) -> Bool {
    let shape = ImageShape(height: r.int(1, 20), width: r.int(1, 20), channels: r.int(1, 70))
    let p = MeanParams(input: shape, inputZeroPoint: r.int32(-128, 127), outputZeroPoint: r.int32(-128, 127),
                       multiplier: r.int32(1 << 30, Int32.max), shift: r.int32(-3, 1))
    let count = shape.height * shape.width * shape.channels
    guard let x = s.take(count), let (a, b) = outputs(&s, shape.channels) else { return false }
    let input = x.assumingMemoryBound(to: Int8.self)
    fillInt8(input, count, &r, lo: -128, hi: 127)
    mean_s8(p, input: input, output: a)
    candidate.mean.run(p, input, b)
    return same(a, b, shape.channels)
}

/// One random case of the element-wise multiply (1–630 values; the second input of the same
/// count, a vector repeated along the last axis, or one value; any zero points, clamps and output
/// scale) against `mul_s8`: true when the bytes match.
func checkMul(_ s: inout CheckScratch, _ r: inout CheckRandom, _ candidate: KernelSet) -> Bool {
    let lo = r.int32(-128, 0)
    let p = MulParams(input1ZeroPoint: r.int32(-128, 127), input2ZeroPoint: r.int32(-128, 127), outputZeroPoint: r.int32(-128, 127),
                      outputMultiplier: r.int32(1 << 30, Int32.max), outputShift: r.int32(-20, 4), activationMin: lo,
                      activationMax: r.int32(lo, 127))
    let channels = r.int(1, 70), count = channels * r.int(1, 9)
    let form = r.int(0, 2), count2 = form == 0 ? count : form == 1 ? channels : 1
    guard let x = s.take(count), let y = s.take(count2), let (a, b) = outputs(&s, count) else { return false }
    let input1 = x.assumingMemoryBound(to: Int8.self), input2 = y.assumingMemoryBound(to: Int8.self)
    fillInt8(input1, count, &r, lo: -128, hi: 127)
    fillInt8(input2, count2, &r, lo: -128, hi: 127)
    mul_s8(p, input1: input1, input2: input2, input2Count: count2, count: count, output: a)
    candidate.mul.run(p, input1, input2, count2, count, b)
    return same(a, b, count)
}

/// One random case of the 256-entry table lookup (1–700 values, a random table, in place one case
/// in four) against `lut_s8`: true when the bytes match.
func checkLookup(_ s: inout CheckScratch, _ r: inout CheckRandom, _ candidate: KernelSet) -> Bool {
    let count = r.int(1, 700), inPlace = r.int(0, 3) == 0
    guard let x = s.take(count), let t = s.take(256), let (a, b) = outputs(&s, count) else { return false }
    let input = x.assumingMemoryBound(to: Int8.self), table = t.assumingMemoryBound(to: Int8.self)
    fillInt8(input, count, &r, lo: -128, hi: 127)
    fillInt8(table, 256, &r, lo: -128, hi: 127)
    lut_s8(input: input, count: count, table: table, output: a)
    if inPlace {
        b.update(from: input, count: count)
        candidate.lookup.run(UnsafePointer(b), count, table, b)
    } else {
        candidate.lookup.run(input, count, table, b)
    }
    return same(a, b, count)
}
