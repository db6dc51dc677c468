import Foundation
import Runtime

/// A model.q8 read from disk into a 16-byte aligned buffer that lives as long as this object.
final class Q8File {
    let path: String
    let buffer: UnsafeMutableRawBufferPointer
    let model: Q8Model

    init(path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationFailure("\(path): is a directory, not a model.q8")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationFailure("\(path): cannot read the file (missing or not readable)")
        }
        self.path = path
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 16)
        buffer.copyBytes(from: data)
        do {
            model = try Q8Model(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<data.count]))
        } catch {
            buffer.deallocate()
            throw ValidationFailure("\(path): \(error)")
        }
    }

    deinit { buffer.deallocate() }

    static func isQ8(_ path: String) -> Bool { fileStarts(path, at: 0, with: "MNQ8") }

    var labels: [String] { (0..<model.labelCount).map { String(decoding: model.label($0), as: UTF8.self) } }

    /// HWC pixels quantized to the model input: `(p / 255 − mean[c]) / std[c]` with the
    /// normalization recorded in the model (or `low + (high − low) · p / 255` with a
    /// `pixelRange`), then the input tensor's scale and zero point.
    func quantizedInput(_ pixels: [UInt8], pixelRange: (Float, Float)? = nil, into destination: UnsafeMutablePointer<Int8>) {
        let input = model.tensor(model.inputTensor(0))
        let floats = pixels.enumerated().map { i, p -> Float in
            if let (low, high) = pixelRange { return low + (high - low) * Float(p) / 255 }
            let c = i % input.image.channels
            guard c < model.normalizationChannels else { return Float(p) / 255 }
            return (Float(p) / 255 - model.normalizationMean(c)) / model.normalizationStd(c)
        }
        floats.withUnsafeBufferPointer {
            quantize_f32_s8(input: $0.baseAddress!, count: $0.count, scale: input.scale, zeroPoint: input.zeroPoint, output: destination)
        }
    }
}

/// Whether the regular file at `path` has `magic` at byte `offset` (false for directories,
/// missing or unreadable files).
func fileStarts(_ path: String, at offset: Int, with magic: String) -> Bool {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
          let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    guard let head = try? handle.read(upToCount: offset + magic.utf8.count), head.count == offset + magic.utf8.count else { return false }
    return head.suffix(magic.utf8.count) == Data(magic.utf8)
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
