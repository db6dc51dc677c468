// swift-tools-version:6.0
import PackageDescription

// The SDOT kernel's module is compiled with the dot-product extension on AArch64 hosts.
#if arch(arm64)
let dotProductFlags: [String] = ["-Xcc", "-Xclang", "-Xcc", "-target-feature", "-Xcc", "-Xclang", "-Xcc", "+dotprod"]
#else
let dotProductFlags: [String] = []
#endif

let package = Package(
    name: "Minnow",
    products: [
        .executable(name: "minnow", targets: ["minnow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // libpng and zlib, found with pkg-config (Debian: libpng-dev, zlib1g-dev).
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // int8 runtime: Embedded-Swift clean, imports nothing but the stdlib.
        .target(name: "Runtime"),
        // CPUID / the auxiliary vector: which kernel sets this CPU may run.
        .target(name: "CPUFeatures"),
        // AVX2 twins of the heavy int8 kernels; the whole module is compiled for AVX2, so only
        // KernelSet.best (module Kernels) hands them out, after checking the CPU.
        .target(name: "KernelsAVX2", dependencies: ["Runtime"], swiftSettings: [.unsafeFlags(["-Xcc", "-mavx2"])]),
        // The AVX-VNNI packed convolution (vpdpbusd), on top of the AVX2 set; compiled for AVX-VNNI.
        .target(name: "KernelsAVXVNNI", dependencies: ["Runtime", "KernelsAVX2"],
                swiftSettings: [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mavxvnni"])]),
        // The same packed convolution with AVX-512 VNNI's EVEX vpdpbusd on 256-bit registers; compiled for AVX-512 VNNI.
        .target(name: "CAVX512VNNI"),
        .target(name: "KernelsAVX512VNNI", dependencies: ["Runtime", "KernelsAVX2", "KernelsAVXVNNI", "CAVX512VNNI"],
                swiftSettings: [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mavx512f", "-Xcc", "-mavx512bw", "-Xcc", "-mavx512dq", "-Xcc", "-mavx512vl", "-Xcc", "-mavx512vnni"])]),
        // The SDOT packed convolution for AArch64 CPUs with the dot-product extension (empty elsewhere).
        .target(name: "KernelsNEONDot", dependencies: ["Runtime"], swiftSettings: [.unsafeFlags(dotProductFlags)]),
        // The differential kernel check every kernel set runs, on the host (KernelsTests) and in the firmware.
        .target(name: "KernelCheck", dependencies: ["Runtime"]),
        // KernelSet.best: the fastest kernel set this CPU runs.
        .target(name: "Kernels", dependencies: ["Runtime", "KernelsAVX2", "KernelsAVXVNNI", "KernelsAVX512VNNI", "KernelsNEONDot", "CPUFeatures"]),
        // The float executor's GEMM and depthwise loops with AVX2 and FMA (chosen by CPUID in Graph).
        .target(name: "FloatKernelsAVX2", swiftSettings: [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"])]),
        // Writing a file so that readers see the old one or the new one, never a part.
        .target(name: "AtomicWrite"),
        // Float graph IR, shape inference, model.bin, float reference executor.
        .target(name: "Graph", dependencies: ["Runtime", "FloatKernelsAVX2", "CPUFeatures", "AtomicWrite"]),
        // PNG, IDX, image folders, Fashion-MNIST, sample sets.
        .target(name: "Data", dependencies: ["CPNG", "CZlib"]),
        // Float trainer and model zoo.
        .target(name: "Train", dependencies: ["Graph", "Data", "AtomicWrite", "ModelIO"]),
        // The host-only model.q8 writer: Q8Program and each op's typed emitter, the arena planner,
        // affine quantization, requantization constants and kernel parameters as TFLite derives them.
        .target(name: "Q8Build", dependencies: ["Runtime", "AtomicWrite"]),
        // Using a model.q8 on the host: reading it from disk, input normalization and quantization,
        // output dequantization and probabilities (what run, eval, export and the tests share).
        .target(name: "ModelIO", dependencies: ["Runtime"]),
        // Float → int8 converter.
        .target(name: "Quantize", dependencies: ["Graph", "Runtime", "Data", "Kernels", "Q8Build"]),
        // A zero-copy, bounds-checked reader of .tflite FlatBuffers (the schema subset the importer reads).
        .target(name: "TFLiteFile"),
        // int8 .tflite → model.q8, with TensorFlow Lite Micro's arithmetic.
        .target(name: "Import", dependencies: ["TFLiteFile", "Q8Build", "Runtime"]),
        // The ONNX protobuf messages, generated once from onnx.proto (Sources/ONNXFile/README.md).
        .target(name: "ONNXFile", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")], exclude: ["README.md"]),
        // Float ONNX and float .tflite → the float graph (model.bin), NCHW lowered to NHWC.
        .target(name: "FloatImport", dependencies: ["ONNXFile", "TFLiteFile", "Graph"]),

        .executableTarget(
            name: "minnow",
            dependencies: [
                "Graph", "Data", "Train", "Quantize", "Q8Build", "ModelIO", "AtomicWrite", "Runtime", "Kernels", "TFLiteFile", "Import", "FloatImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/minnow"),

        // Test helper: counts heap allocations by interposing malloc (Linux/glibc).
        .target(name: "MallocCounter", path: "Tests/MallocCounter"),
        // Test helper: small int8 models built in code.
        .target(name: "TestSupport", dependencies: ["Runtime", "Q8Build", "Graph"], path: "Tests/TestSupport"),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Q8Build", "Graph", "MallocCounter", "TestSupport"]),
        .testTarget(name: "KernelsTests", dependencies: ["Runtime", "Kernels", "KernelCheck", "KernelsAVX2", "KernelsAVXVNNI", "KernelsAVX512VNNI", "CPUFeatures", "Q8Build"]),
        .testTarget(name: "CLITests", dependencies: ["minnow", "TestSupport", "Data", "Graph", "Train"]),
        .testTarget(name: "GraphTests", dependencies: ["Graph", "Runtime", "FloatKernelsAVX2"]),
        .testTarget(name: "DataTests", dependencies: ["Data"]),
        .testTarget(name: "TrainTests", dependencies: ["Train", "Graph", "Data"]),
        .testTarget(name: "ImportTests", dependencies: ["Import", "TFLiteFile", "Q8Build", "Runtime", "Kernels", "FloatImport", "ONNXFile", "Graph", "Data"],
                    exclude: ["ONNXCases", "ONNXFuzzRegressions", "TFLMCases"]),
        .testTarget(name: "QuantizeTests", dependencies: ["Quantize", "Q8Build", "Graph", "Runtime", "Train", "TestSupport", "FloatImport", "Data", "ModelIO"]),
    ]
)
