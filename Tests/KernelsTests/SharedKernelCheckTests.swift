import CPUFeatures
import KernelCheck
import Kernels
import Runtime
import Testing

/// The firmware's kernel check (`checkKernels`: one generator of random shapes, parameters and
/// guard bytes for conv, depthwise, dense, add, both pools, mean and the packed conv) run on every
/// x86 kernel set this CPU has, 10,000 cases per kernel, as `make -C Firmware test` runs it on the
/// NEON, SDOT and DSP sets: every set passes the same sweep.
struct SharedKernelCheckTests {
    static let sets = ["avx2", "avxvnni", "avx512vnni"].filter { KernelSet.named($0) != nil }

    @Test(arguments: sets)
    func everyKernelMatchesTheReference(set name: String) {
        let set = KernelSet.named(name)!
        let size = 256 * 1024
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { scratch.deallocate() }
        var failures = [Int](repeating: 0, count: 8)
        failures.withUnsafeMutableBufferPointer { f in
            checkKernels(set, hasTwin: { $0 < 7 || set.conv2dPacked != nil }, scratch: scratch, size: size, cases: 10_000,
                         seed: 20_261_128, failures: f.baseAddress!)
        }
        #expect(failures == [0, 0, 0, 0, 0, 0, 0, 0], "failures per kernel (conv, depthwise, dense, add, max pool, average pool, mean, packed)")
    }
}
