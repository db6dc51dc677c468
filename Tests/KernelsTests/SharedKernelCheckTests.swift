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
        var failures = [Int](repeating: 0, count: CheckedKernel.count)
        failures.withUnsafeMutableBufferPointer { f in
            checkKernels(set, scratch: scratch, size: size, cases: 10_000,
                         seed: 20_261_128, failures: f.baseAddress!)
        }
        // Every kernel of the x86 sets has a twin.
        #expect(failures == [Int](repeating: 0, count: CheckedKernel.count),
                "failures per kernel (conv, depthwise, dense, add, max pool, average pool, mean, packed, mul, lookup)")
    }
}

/// Which x86-64 set `KernelSet.best` runs for what CPUID reports (issue: on CPUs with both
/// AVX-VNNI and AVX-512 VNNI the 4 × 32 tiles and 512-bit depthwise kernels went unused).
struct BestSetRuleTests {
    @Test func avx512VNNIFirstThenAVXVNNIThenAVX2() {
        #expect(KernelSet.bestX86Name(avx2: true, avxvnni: true, avx512vnni: true) == "avx512vnni")
        #expect(KernelSet.bestX86Name(avx2: true, avxvnni: false, avx512vnni: true) == "avx512vnni")
        #expect(KernelSet.bestX86Name(avx2: true, avxvnni: true, avx512vnni: false) == "avxvnni")
        #expect(KernelSet.bestX86Name(avx2: true, avxvnni: false, avx512vnni: false) == "avx2")
        #expect(KernelSet.bestX86Name(avx2: false, avxvnni: false, avx512vnni: false) == "reference")
        // And `best` is the set of that name on this CPU.
        #if arch(x86_64)
        #expect(KernelSet.best.name.description == KernelSet.bestX86Name(avx2: KernelSet.named("avx2") != nil,
                                                                         avxvnni: KernelSet.named("avxvnni") != nil,
                                                                         avx512vnni: KernelSet.named("avx512vnni") != nil))
        #endif
    }
}
