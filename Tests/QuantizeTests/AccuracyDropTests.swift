import Data
import Foundation
import Graph
import Runtime
import Testing
import TestSupport
@testable import Quantize
import Q8Build
import Train

/// Float vs int8 accuracy of every shipped trained model, converted with the default options on
/// the whole shipped sample: on the 1,000-image sample (drop ≤ 0.5 point, agreement ≥ 99 %) and,
/// when Fashion-MNIST is installed, on the full 10,000-image test set (drop ≤ 0.10 point,
/// agreement ≥ 99.5 %).
@Suite struct AccuracyDropTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let sample = try! SampleSet.read(path: "\(root)/Models/samples/fashion-mnist-test-1000.idx.gz")
    static let shipped = ["fm_dsconv", "fm_resnet", "fm_shuffle"].filter {
        FileManager.default.fileExists(atPath: "\(root)/Models/\($0)/model.bin")
    }

    /// (float top-1, int8 top-1, agreement) in percent of `conversion` on `images`.
    func measure(_ name: String, _ model: Model, _ conversion: Conversion, on images: LabeledImages) throws -> (Double, Double, Double) {
        let inputs = model.normalizedInputs(images)
        let executor = try FloatExecutor(model.graph)
        let float = argmaxRows(executor.predict(inputs, count: images.count), n: executor.shapes[model.graph.output].count)
        let int8 = try withAlignedBytes(conversion.program.encode().bytes) {
            try int8Predictions(try Q8Model(bytes: $0), inputs: inputs, count: images.count)
        }
        func top1(_ p: [Int]) -> Double { 100 * Double(zip(p, images.labels).filter { $0 == $1 }.count) / Double(images.count) }
        let agreement = 100 * Double(zip(float, int8).filter { $0 == $1 }.count) / Double(images.count)
        print(String(format: "accuracy %@ on %d images: float %.2f %%, int8 %.2f %%, drop %.2f points, agreement %.2f %%",
                     name, images.count, top1(float), top1(int8), top1(float) - top1(int8), agreement))
        return (top1(float), top1(int8), agreement)
    }

    @Test func shippedModelsExist() {
        #expect(Self.shipped.contains("fm_dsconv"), "Models/fm_dsconv/model.bin is the main job's model")
    }

    /// One conversion per model (the slow part), checked on the sample and on the full test set.
    @Test(arguments: shipped)
    func int8TracksFloat(name: String) throws {
        let model = try ModelFile.read(path: "\(Self.root)/Models/\(name)/model.bin")
        let conversion = try convert(model, calibration: model.normalizedInputs(Self.sample), count: Self.sample.count)
        let (float, int8, agreement) = try measure(name, model, conversion, on: Self.sample)
        #expect(float - int8 <= 0.5 && agreement >= 99, "\(name) on the shipped sample")
        guard (try? FashionMNIST.locate()) != nil else {
            print("accuracy \(name): Fashion-MNIST is not installed; full test set skipped")
            return
        }
        let (fullFloat, fullInt8, fullAgreement) = try measure(name, model, conversion, on: try FashionMNIST.load(.test))
        #expect(fullFloat - fullInt8 <= 0.10 && fullAgreement >= 99.5, "\(name) on the full test set")
    }
}
