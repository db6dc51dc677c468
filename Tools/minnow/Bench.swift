import ModelIO
import ArgumentParser
import Foundation
import Kernels
import Runtime

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time an int8 model: whole-model latency (median, min, max) and per-layer time, MACs and GMAC/s.",
        discussion: """
            One thread, batch 1, a fixed pseudo-random input. Whole-model runs are timed around \
            invoke(); per-layer times come from separate runs that time each op, so their sum is \
            close to, not equal to, the whole-model median.
            """)

    @Argument(help: "An int8 model (model.q8).")
    var model: String

    @Option(help: "Timed runs.")
    var runs = 50

    @Option(help: "Untimed runs first.")
    var warmup = 5

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Run the reference kernels instead of the fastest this CPU has (same as --kernels reference).")
    var reference = false

    @Option(help: "Kernel set: best, reference, avx2, avxvnni, avx512vnni, neon or neondot (where this CPU has them).")
    var kernels = "best"

    @Option(help: "Threads each op is split across (output rows, channels or elements).")
    var threads = 1

    struct Layer: Codable {
        var index: Int
        var op: String
        var kernel: String
        var median_us: Double
        var macs: Int
        var gmacs_per_s: Double
    }

    struct Report: Codable {
        var model: String
        var kernels: String
        var threads: Int
        var runs: Int
        var latency_ms_median: Double
        var latency_ms_min: Double
        var latency_ms_max: Double
        var arena_bytes: Int
        var macs: Int
        var gmacs_per_s: Double
        var layers: [Layer]
    }

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if warmup < 0 { throw ValidationError("--warmup must not be negative") }
        if threads < 1 || threads > 64 { throw ValidationError("--threads must be 1 to 64") }
        if KernelSet.named(kernels) == nil {
            throw ValidationError("--kernels \(kernels): this CPU cannot run it, or no such set (best, \(KernelSet.names.joined(separator: ", ")))")
        }
    }

    func run() throws {
        let file = try Q8File(path: model)
        defer { withExtendedLifetime(file) {} }
        let q8 = file.model
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(q8.arenaBytes, 16), alignment: 16)
        defer { arena.deallocate() }
        let kernels: KernelSet = reference ? .reference : KernelSet.named(self.kernels)!
        let interpreter = try Interpreter(model: q8, arena: arena, kernels: kernels)
        var state: UInt32 = 2026
        for k in 0..<q8.inputCount {
            let x = interpreter.input(k)
            for i in x.indices {
                state = state &* 1_664_525 &+ 1_013_904_223
                x[i] = Int8(truncatingIfNeeded: state >> 24)
            }
        }
        let parallel = ParallelInvoker(interpreter, threads: threads)
        for _ in 0..<warmup { parallel.invoke() }
        var latencies: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            parallel.invoke()
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        var perOp = [[Double]](repeating: [], count: q8.opCount)
        for _ in 0..<runs {
            for i in 0..<q8.opCount {
                let start = DispatchTime.now().uptimeNanoseconds
                parallel.run(i)
                perOp[i].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
            }
        }
        let layers = (0..<q8.opCount).map { i -> Layer in
            let op = q8.op(i), macs = q8.macs(ofOp: i), us = median(perOp[i])
            return Layer(index: i, op: op.code.name.description, kernel: q8.kernelName(ofOp: i, kernels).description, median_us: us, macs: macs,
                         gmacs_per_s: us > 0 ? Double(macs) / us / 1e3 : 0)
        }
        let total = layers.reduce(0) { $0 + $1.macs }, latency = median(latencies)
        let report = Report(model: model, kernels: kernels.name.description, threads: threads, runs: runs, latency_ms_median: latency, latency_ms_min: latencies.min()!,
                            latency_ms_max: latencies.max()!, arena_bytes: q8.arenaBytes, macs: total,
                            gmacs_per_s: Double(total) / latency / 1e6, layers: layers)
        if json { return printJSON(report) }
        let layerTotal = layers.reduce(0) { $0 + $1.median_us }
        print(table(header: ["op", "kernel", "median µs", "share", "MACs", "GMAC/s"], rows: layers.map { l in
            ["\(l.index) \(l.op)", l.kernel, String(format: "%.1f", l.median_us),
             String(format: "%.1f %%", 100 * l.median_us / max(layerTotal, 1e-9)), grouped(l.macs), String(format: "%.2f", l.gmacs_per_s)]
        }, rightAligned: [2, 3, 4, 5]))
        print(String(format: "latency: median %.3f ms, min %.3f, max %.3f over %d runs; %@ MACs, %.2f GMAC/s; %@",
                     latency, report.latency_ms_min, report.latency_ms_max, runs, grouped(total), report.gmacs_per_s, arenaLine(activations: q8.activationBytes, ops: q8.opCount)))
    }

}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
