import Foundation
import Runtime

/// A model.q8 read from disk into a 16-byte aligned buffer that lives as long as this object.
/// Example: `let file = try Q8File(path: "model.q8"); file.model.opCount`.
public final class Q8File {
    public let path: String
    public let buffer: UnsafeMutableRawBufferPointer
    public let model: Q8Model

    /// Reads and validates `path`; the error names the file and the problem.
    public init(path: String) throws(ModelFileError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ModelFileError("\(path): is a directory, not a model.q8")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError("\(path): cannot read the file (missing or not readable)")
        }
        self.path = path
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 16)
        buffer.copyBytes(from: data)
        do {
            model = try Q8Model(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<data.count]))
        } catch {
            buffer.deallocate()
            throw ModelFileError("\(path): \(error)")
        }
    }

    deinit { buffer.deallocate() }

    /// Whether `path` is a regular file starting with model.q8's magic.
    public static func isQ8(_ path: String) -> Bool { fileStarts(path, at: 0, with: "MNQ8") }
}

/// Why a model file could not be used, naming the file: `model.q8: cannot read the file (…)`.
public struct ModelFileError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Whether the regular file at `path` has `magic` at byte `offset` (false for directories,
/// missing or unreadable files).
public func fileStarts(_ path: String, at offset: Int, with magic: String) -> Bool {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
          let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    guard let head = try? handle.read(upToCount: offset + magic.utf8.count), head.count == offset + magic.utf8.count else { return false }
    return head.suffix(magic.utf8.count) == Data(magic.utf8)
}

