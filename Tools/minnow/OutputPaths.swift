import Foundation

/// The one rule every command applies to the files it writes, before any work: each output is
/// compared with every file the command reads and with every other output (the same file through
/// links or other spellings: same device and inode, or, for a file not there yet, the same name in
/// the same folder), and its folder must exist and be writable. A clash or an unusable folder is an
/// error naming both files, or the folder and the system's reason (`No such file or directory`,
/// `Read-only file system`, `Permission denied`).
/// Example: `try checkOutputs([("--report", "m.bin")], reads: ["m.bin"])` throws
/// `--report m.bin is the same file as m.bin, which the command reads; give another file`.
func checkOutputs(_ outputs: [(flag: String, path: String)], reads inputs: [String]) throws {
    for (flag, path) in outputs {
        try requireWritableFolder(parentFolder(path), for: "\(flag) \(path)")
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw ValidationFailure("\(flag) \(path) is a folder; give a file name") }
    }
    try requireDistinct(outputs, reads: inputs)
}

/// Throws when an output is a file the command reads or another output (`checkOutputs`' test
/// without the folder's).
func requireDistinct(_ outputs: [(flag: String, path: String)], reads inputs: [String]) throws {
    var seen: [(flag: String, path: String, identity: FileIdentity)] = []
    for (flag, path) in outputs {
        let identity = FileIdentity(path)
        for input in inputs where identity != nil && identity == FileIdentity(input) {
            throw ValidationFailure("\(flag) \(path) is the same file as \(input), which the command reads; give another file")
        }
        if let other = seen.first(where: { identity != nil && $0.identity == identity }) {
            throw ValidationFailure("\(flag) \(path) and \(other.flag) \(other.path) are the same file; give each its own")
        }
        if let identity { seen.append((flag, path, identity)) }
    }
}

/// Throws unless `folder` exists, is a folder and may be written, giving the system's reason
/// (`--plot out/x.png: folder out: No such file or directory`).
func requireWritableFolder(_ folder: String, for what: String) throws {
    var info = stat()
    guard stat(folder, &info) == 0 else { throw ValidationFailure("\(what): folder \(folder): \(reason(errno))") }
    guard info.st_mode & S_IFMT == S_IFDIR else { throw ValidationFailure("\(what): \(folder) is not a folder") }
    guard access(folder, W_OK) == 0 else { throw ValidationFailure("\(what): folder \(folder): \(reason(errno))") }
}

/// The folder a path's last component lives in: `out/model.q8` → `out`, `model.q8` → `.`.
func parentFolder(_ path: String) -> String {
    let folder = (path as NSString).deletingLastPathComponent
    return folder.isEmpty ? "." : folder
}

/// The system's text for an errno value: 2 → `No such file or directory`.
func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

/// What makes two paths the same file: device and inode where the file exists (links followed),
/// else the folder's device and inode and the name. Nil when not even the folder exists.
struct FileIdentity: Equatable {
    var device: UInt64, inode: UInt64, name: String

    init?(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            (device, inode, name) = (UInt64(info.st_dev), UInt64(info.st_ino), "")
        } else if stat(parentFolder(path), &info) == 0 {
            (device, inode, name) = (UInt64(info.st_dev), UInt64(info.st_ino), (path as NSString).lastPathComponent)
        } else {
            return nil
        }
    }
}
