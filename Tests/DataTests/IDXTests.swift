import Foundation
import Testing
@testable import Data

@Suite struct IDXTests {
    let images = IDXArray(dims: [3, 2, 2], values: Array(0..<12))
    let labels = IDXArray(dims: [3], values: [9, 0, 4])

    func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("minnow-\(getpid())-\(name)").path
    }

    @Test func parsesOneAndConcatenatedArrays() throws {
        // Header 00 00 08 03, then 3, 2, 2 as big-endian u32s, then 12 bytes.
        #expect(Array(images.encoded.prefix(8)) == [0, 0, 8, 3, 0, 0, 0, 3])
        #expect(try IDXArray.parseAll(images.encoded, source: "t") == [images])
        #expect(try IDXArray.parseAll(images.encoded + labels.encoded, source: "t") == [images, labels])
    }

    @Test func malformedArraysAreNamed() {
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try IDXArray.parseAll(bytes, source: "f.idx"); return "accepted" } catch { return error.message }
        }
        #expect(message([1, 0, 8, 1]) == "f.idx: IDX magic is not 00 00 (not an IDX file) at byte 0")
        #expect(message([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]) == "f.idx: IDX type 0xd is not supported (only unsigned bytes, 0x08) at byte 0")
        #expect(message([0, 0, 8, 9]) == "f.idx: IDX has 9 dimensions, expected 1 to 4 at byte 0")
        #expect(message(Array(images.encoded.dropLast())) == "f.idx: IDX shape [3, 2, 2] needs 12 bytes, only 11 remain (truncated) at byte 16")
        #expect(message([0, 0, 8, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).contains("truncated"))
        #expect(message([0, 0, 8]) == "f.idx: IDX header is truncated at byte 0")
    }

    @Test func gzipAndPlainFilesReadAlike() throws {
        let gz = temporary("a.idx.gz"), plain = temporary("a.idx")
        defer { for p in [gz, plain] { try? FileManager.default.removeItem(atPath: p) } }
        try Gzip.write(images.encoded, to: gz)
        try Foundation.Data(images.encoded).write(to: URL(fileURLWithPath: plain))
        #expect(try IDXArray.read(path: gz) == images)
        #expect(try IDXArray.read(path: plain) == images)
        // A gzip file cut short is an error, not a short read.
        let big = IDXArray(dims: [4000], values: (0..<4000).map { UInt8.random(in: 0...255) + UInt8($0 % 2) / 2 })
        try Gzip.write(big.encoded, to: gz)
        let whole = try Foundation.Data(contentsOf: URL(fileURLWithPath: gz))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: gz))
        #expect(throws: DataError.self) { try IDXArray.read(path: gz) }
        #expect(throws: DataError.self) { try IDXArray.read(path: temporary("missing")) }
    }

    @Test func sampleSetRoundTripAndLabelChecks() throws {
        let path = temporary("sample.idx.gz")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let set = try LabeledImages.fromIDX(images: images, labels: labels, classNames: FashionMNIST.classNames, source: "t")
        try SampleSet.write(set, to: path)
        let back = try SampleSet.read(path: path)
        #expect(back == set && back.image(1).pixels == [4, 5, 6, 7])
        #expect(throws: DataError("t: label 12 is not one of the 10 classes")) {
            try LabeledImages.fromIDX(images: images, labels: IDXArray(dims: [3], values: [1, 12, 0]),
                                      classNames: FashionMNIST.classNames, source: "t")
        }
        #expect(throws: DataError("t: [2] labels for 3 images")) {
            try LabeledImages.fromIDX(images: images, labels: IDXArray(dims: [2], values: [1, 2]),
                                      classNames: FashionMNIST.classNames, source: "t")
        }
    }

    /// Image sets without images, or with other than 1 or 3 channels, are refused by name.
    @Test func imageSetsOfNoImagesOrOddChannelsAreRefused() {
        func message(_ dims: [Int]) -> String {
            let count = dims.reduce(1, *)
            do {
                _ = try LabeledImages.fromIDX(images: IDXArray(dims: dims, values: [UInt8](repeating: 0, count: count)),
                                              labels: IDXArray(dims: [dims[0]], values: [UInt8](repeating: 0, count: dims[0])),
                                              classNames: ["a"], source: "set")
                return ""
            } catch { return "\(error)" }
        }
        #expect(message([0, 28, 28]).contains("holds no images"))
        #expect(message([2, 28, 28, 2]).contains("2 channels"))
        #expect(message([2, 28, 28, 4]).contains("4 channels"))
        #expect(message([2, 28, 28, 3]).isEmpty && message([2, 28, 28]).isEmpty)
    }
}
