import Foundation
import Runtime

/// Prints a value as pretty JSON with sorted keys.
func printJSON<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try! encoder.encode(value), as: UTF8.self))
}

/// A plain-text table with columns padded to their widest cell.
func table(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
    let all = [header] + rows
    let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return rightAligned.contains(c) ? pad + cell : cell + pad
        }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
}

/// 1234567 → "1,234,567".
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes a line to standard output at once (unbuffered), so long runs log as they go.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// The one arena figure every command prints (`quantize`, `import`, `inspect`, `bench`,
/// `export`): the whole arena a caller allocates, then its two parts.
/// Example: `arena 21,536 bytes (activations and scratch 18,848, op records 2,688)`.
func arenaLine(activations: Int, ops: Int) -> String {
    let records = ops * Q8Format.preparedOpBytes
    return "arena \(grouped(activations + records)) bytes (activations and scratch \(grouped(activations)), op records \(grouped(records)))"
}

/// An error whose text is shown as it is.
struct ValidationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension KernelName: CustomStringConvertible {
    /// `conv2d_s8_packed_4x32c4_avx512vnni`, `conv2d_s8_avx2`, or `conv2d_s8` for the reference.
    public var description: String { ([base.description, tile.description, suffix.description]).filter { !$0.isEmpty }.joined(separator: "_") }
}

extension Q8Tensor {
    var shapeList: [Int] { Array([dims.0, dims.1, dims.2, dims.3].prefix(rank)) }
}
