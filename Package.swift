// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Minnow",
    products: [
        .executable(name: "minnow", targets: ["minnow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libpng and zlib, found with pkg-config (Debian: libpng-dev, zlib1g-dev).
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // int8 runtime: Embedded-Swift clean, imports nothing but the stdlib.
        .target(name: "Runtime"),
        // Float graph IR, shape inference, model.bin, float reference executor.
        .target(name: "Graph", dependencies: ["Runtime"]),
        // PNG, IDX, image folders, Fashion-MNIST, sample sets.
        .target(name: "Data", dependencies: ["CPNG", "CZlib"]),
        // Float trainer and model zoo.
        .target(name: "Train", dependencies: ["Graph", "Data"]),
        // Float → int8 converter.
        .target(name: "Quantize", dependencies: ["Graph", "Runtime", "Data"]),

        .executableTarget(
            name: "minnow",
            dependencies: [
                "Graph", "Data", "Train", "Quantize", "Runtime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/minnow"),

        // Test helper: counts heap allocations by interposing malloc (Linux/glibc).
        .target(name: "MallocCounter", path: "Tests/MallocCounter"),
        // Test helper: small int8 models built in code.
        .target(name: "TestSupport", dependencies: ["Runtime", "Quantize", "Graph"], path: "Tests/TestSupport"),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Quantize", "Graph", "MallocCounter", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["minnow", "TestSupport", "Data", "Graph", "Train"]),
        .testTarget(name: "GraphTests", dependencies: ["Graph", "Runtime"]),
        .testTarget(name: "DataTests", dependencies: ["Data"]),
        .testTarget(name: "TrainTests", dependencies: ["Train", "Graph", "Data"]),
        .testTarget(name: "QuantizeTests", dependencies: ["Quantize", "Graph", "Runtime", "Train", "TestSupport"]),
    ]
)
