/// A row stream: a convolution or depthwise convolution (the producer, op i) whose output only
/// the next op reads, a convolution or depthwise convolution (the consumer, op i + 1) reading it
/// as slot 0. The output tensor (`Q8WeightLayout.rowStream`) keeps its `[H, W, C]` shape but its
/// arena bytes hold only k rows: the producer runs nothing at op i (`RowOrder.pulled`); at op
/// i + 1 the consumer computes its output rows one at a time in order, each after the producer
/// has computed the rows it reads (`RowOrder.pulling`). Each output row y of the consumer reads
/// producer rows `first ..< last`, with `first = y·strideH − padTop` and `last = first +
/// (KH − 1)·dilationH + 1` clamped to the image. The consumer goes as many output rows a step as
/// the stream's k rows hold (`(k − window)/strideH + 1`); the buffer holds the rows a step reads
/// from its start: rows kept from the step before move down, the missing ones are computed after
/// them, and the consumer's kernel sees an image of `last − first` rows with its top padding
/// shifted by `first`.
/// Bytes are those of the two ops run apart (every row is computed by the same kernel from the
/// same input); only the peak changes: MobileNetV2's 112×112×96 expansion (1,204,224 bytes)
/// becomes 3 rows (32,256 bytes) under its stride-2 depthwise convolution.
///
/// Contract (`validate`): the stream is read only as slot 0 of the op right after its producer,
/// is no model input or output, holds at least the `min(H, (KH − 1)·dilationH + 1)` rows of the
/// consumer's window; the producer's input is no stream and the consumer's output is none (no
/// chains); while the consumer runs, the producer's input and scratch stay intact, so they lie
/// apart from the stream, the consumer's output and the consumer's scratch. Runs on one thread.
/// Example: 112×112×16 → 1×1 → 112×112×96 → 3×3 depthwise, stride 2, pad 0 → 56×56×96, a
/// stream of k = 9 rows (the planner's four output rows a step: `Q8Program.streamRows`): output
/// rows 0..<4 read rows 0..<9 (all computed), rows 4..<8 rows 8..<17 (row 8 moved down, 9…16
/// computed), …
enum RowStream {
    /// The rows of the stream `x` a consumer output row reads at most: its window's height.
    static func rows(consumer v: OpView, x: Q8Tensor) -> Int {
        min(x.dims.0, v.count(v.int(Conv2DOp.Word.kernelH) - 1, v.int(Conv2DOp.Word.dilationH)) + 1)
    }

    static func isStream(_ t: Q8Tensor) -> Bool { t.storage == .arena && t.layout == Q8WeightLayout.rowStream.rawValue }

    static func isWindowed(_ code: Q8OpCode) -> Bool { code == .conv2d || code == .depthwiseConv2d }

    /// The stream rules for op `v` (after its own `validate`): as a consumer, as a producer.
    static func validate(_ v: OpView) throws(Q8Error) {
        for k in 0..<v.op.inputCount where v.has(k) && isStream(v.tensor(k)) {
            guard k == 0, isWindowed(v.op.code), v.index >= 1, v.model.op(v.index - 1).output == v.model.input(0, of: v.op) else {
                throw v.fail("a row stream is read only as slot 0 of the convolution right after its producer")
            }
            let producer = OpView(v.model, v.index - 1), x = v.tensor(0), px = producer.tensor(0)
            guard !isStream(v.output) else { throw v.fail("a row stream's consumer writes no row stream") }
            guard x.byteSize / (x.dims.1 * x.dims.2) >= rows(consumer: v, x: x) else {
                throw v.fail("row stream holds fewer rows than the consumer's window", value: x.byteSize / (x.dims.1 * x.dims.2))
            }
            guard !v.overlaps(px, x), !v.overlaps(px, v.output) else { throw v.fail("a row stream's producer input overlaps the stream or the output") }
            if let ps = producer.scratchTensor, v.overlaps(ps, x) || v.overlaps(ps, v.output) || v.scratchTensor.map({ v.overlaps(ps, $0) }) == true {
                throw v.fail("a row stream's producer scratch overlaps a tensor alive with it")
            }
            if let cs = v.scratchTensor, v.overlaps(cs, px) { throw v.fail("a row stream's consumer scratch overlaps the producer's input") }
        }
        if isStream(v.output) {
            guard isWindowed(v.op.code), v.index + 1 < v.model.opCount, !isStream(v.tensor(0)),
                  v.model.input(0, of: v.model.op(v.index + 1)) == v.op.output else {
                throw v.fail("a row stream is written only by a convolution the next op reads it from")
            }
        }
    }

    /// Runs the consumer `c` (`whole`: its parameters) pulling the producer's rows into the
    /// stream buffer, a step of output rows at a time.
    @inline(never)  // one copy: a closure argument made the compiler specialize it per op (4.7 KB on the Cortex-M4)
    static func pull(_ c: ConvolutionCall, _ whole: Conv2DParams, _ model: Q8Model, _ kernels: KernelSet,
                     _ scratch: UnsafeMutableRawPointer?) {
        let consumer = OpView(model, Int(c.op))
        /// The rows `p` describes of `call`, a convolution or (`depthwise`) depthwise convolution.
        func compute(_ call: ConvolutionCall, depthwise: Bool, _ p: Conv2DParams, _ input: UnsafePointer<Int8>,
                     _ output: UnsafeMutablePointer<Int8>) {
            if depthwise {
                DepthwiseConv2DOp.compute(call, p, input: input, output: output, kernels)
            } else {
                Conv2DOp.compute(call, p, input: input, output: output, kernels)
            }
        }
        let record = c.producer!.assumingMemoryBound(to: PreparedOp.self).pointee
        let producer: ConvolutionCall, depthwise: Bool
        switch record {
        case let .conv2d(p): (producer, depthwise) = (p, false)
        case let .depthwiseConv2d(p): (producer, depthwise) = (p, true)
        default: return
        }
        let made = producer.params(model, Conv2DOp.params)
        let buffer = producer.operands.output, height = whole.input.height
        let rowBytes = whole.input.width * whole.input.channels, outputRow = whole.output.width * whole.output.channels
        // The window's height, at most what reaches the last row from the top padding (no overflow on 32-bit targets).
        let taps = whole.kernelH - 1, limit = height + whole.padTop
        let span = (taps > 0 && whole.dilationH > limit / taps ? limit : taps * whole.dilationH) + 1
        // Output rows per step: as many as the stream's rows hold (validated: at least one).
        let held = consumer.tensor(Conv2DOp.Input.x).byteSize / rowBytes
        let step = held >= height ? whole.output.height : (held - span) / whole.strideH + 1
        var kept = 0..<0  // producer rows in the buffer, from its start
        var y = 0
        while y < whole.output.height {
            let next = min(y + step, whole.output.height)
            let top = y * whole.strideH - whole.padTop, bottom = (next - 1) * whole.strideH - whole.padTop + span
            let first = min(max(top, 0), height - 1), last = min(max(bottom, first + 1), height)
            if kept.upperBound > first && first > kept.lowerBound {
                UnsafeMutableRawPointer(buffer).copyMemory(from: buffer + (first - kept.lowerBound) * rowBytes,
                                                           byteCount: (kept.upperBound - first) * rowBytes)
            }
            let from = max(first, kept.upperBound)
            if from < last {
                compute(producer, depthwise: depthwise, made.rows(from..<last, scratch: scratch), producer.operands.input,
                        buffer + (from - first) * rowBytes)
            }
            kept = first..<last
            var p = whole.rows(y..<next, scratch: scratch)
            p.input.height = last - first
            p.padTop += first
            compute(c, depthwise: consumer.op.code == .depthwiseConv2d, p, UnsafePointer(buffer), c.operands.output + y * outputRow)
            y = next
        }
    }
}
