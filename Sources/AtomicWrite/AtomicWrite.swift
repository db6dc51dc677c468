import Foundation

/// Writes `data` to `path` so that a reader sees the old file or the new one, never a part:
/// the bytes go to `.<name>.minnow-<pid>.tmp` beside the target, are flushed, and the temporary
/// file is renamed over the target. The temporary file is removed on every error, and stale ones
/// left by a killed run (their process no longer exists) are removed before writing.
/// Example: `writeAtomically(bytes, to: "out/model.q8")` goes through `out/.model.q8.minnow-4242.tmp`.
public func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path, name = url.lastPathComponent
    let prefix = ".\(name).minnow-"
    removeStaleTemporaries(in: directory, prefix: prefix)
    let temporary = (directory as NSString).appendingPathComponent("\(prefix)\(getpid()).tmp")
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw WriteFailure(path: path, code: errno) }
    var ok = true
    data.withUnsafeBytes { raw in
        var offset = 0
        while ok && offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n <= 0 { ok = false } else { offset += n }
        }
    }
    ok = ok && fsync(fd) == 0
    ok = close(fd) == 0 && ok
    guard ok, rename(temporary, path) == 0 else {
        let code = errno
        unlink(temporary)
        throw WriteFailure(path: path, code: code)
    }
}

/// A file or folder the system would not write, with its reason.
/// Example: `out/model.q8: No space left on device`.
public struct WriteFailure: Error, CustomStringConvertible {
    public let path: String
    public let code: Int32
    public init(path: String, code: Int32) { (self.path, self.code) = (path, code) }
    public var description: String { "\(path): \(String(cString: strerror(code)))" }
}

/// Removes `<prefix><pid>.tmp` files and folders in `directory` whose process is gone.
func removeStaleTemporaries(in directory: String, prefix: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else { return }
    for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
        let pidText = name.dropFirst(prefix.count).dropLast(4)
        guard let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
        try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
    }
}
