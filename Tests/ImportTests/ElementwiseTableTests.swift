import Foundation
@testable import Import
import Q8Build
import Testing

/// The element-wise functions' tables against TensorFlow Lite Micro's outputs in
/// ../shared/golden (logistic, tanh, hard_swish, leaky_relu): exact, where a table built from the
/// float function is only within one step (the golden cases' tolerance).
struct ElementwiseTableTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/golden").standardized

    static var cases: [String] {
        ["logistic", "tanh", "hard_swish", "leaky_relu"].flatMap { op in
            ((try? FileManager.default.contentsOfDirectory(atPath: golden.appendingPathComponent(op).path)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { "\(op)/\($0)" }
        }.sorted()
    }

    @Test(arguments: cases)
    func tableMatchesTFLMExactly(path: String) throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.golden.appendingPathComponent(path))) as! [String: Any]
        let x = (json["inputs"] as! [[String: Any]])[0], y = json["output"] as! [String: Any]
        func quantization(_ t: [String: Any]) -> AffineQuantization {
            AffineQuantization(scale: Float((t["scale"] as! NSNumber).doubleValue), zeroPoint: (t["zero_point"] as! NSNumber).intValue)
        }
        let (xq, yq) = (quantization(x), quantization(y))
        let table: [Int8]
        switch json["op"] as! String {
        case "logistic": table = ElementwiseTables.logistic(input: xq)
        case "tanh": table = ElementwiseTables.tanh(input: xq)
        case "hard_swish": table = ElementwiseTables.hardSwish(input: xq, output: yq)
        default:
            let alpha = Float(((json["attributes"] as! [String: Any])["alpha"] as! NSNumber).doubleValue)
            table = ElementwiseTables.leakyRelu(input: xq, output: yq, alpha: alpha)
        }
        let input = (x["data"] as! [NSNumber]).map(\.intValue), want = (y["data"] as! [NSNumber]).map(\.intValue)
        let got = input.map { Int(table[$0 + 128]) }
        let differing = zip(got, want).filter { $0 != $1 }.count
        #expect(differing == 0, "\(path): \(differing) of \(want.count) values differ from TFLM")
    }
}
