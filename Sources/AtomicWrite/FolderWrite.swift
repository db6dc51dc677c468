import Foundation

/// Writes `files` (name, bytes) into `folder` as one set: a reader sees the folder as it was or
/// with every file new, never a mix, and on any failure (a full disk, a killed run) the folder is
/// as it was.
///
/// The files are written and flushed into `.<folder>.minnow-<pid>.tmp` beside it; the folder's
/// other regular files are hard-linked into it (no data copied, the originals untouched); then the
/// two folders are swapped in one `renameat2(RENAME_EXCHANGE)` (two renames where the file system
/// lacks it) and the old one is removed. A folder holding anything but regular files (a
/// subfolder, a link) is refused before anything is written, as it could not be carried over.
/// Example: `writeFolderAtomically([("inputs.bin", a), ("model_data.c", b)], to: "fw")`.
public func writeFolderAtomically(_ files: [(name: String, data: Data)], to folder: String) throws {
    let url = URL(fileURLWithPath: folder).standardized
    let parent = url.deletingLastPathComponent().path, name = url.lastPathComponent
    let prefix = ".\(name).minnow-"
    let others = try carriedOver(folder, replacing: Set(files.map(\.name)))
    removeStaleTemporaries(in: parent, prefix: prefix)
    let staging = (parent as NSString).appendingPathComponent("\(prefix)\(getpid()).tmp")
    guard mkdir(staging, 0o755) == 0 else { throw WriteFailure(path: staging, code: errno) }
    do {
        for (file, data) in files { try writeAtomically(data, to: (staging as NSString).appendingPathComponent(file)) }
        for other in others {
            guard link((folder as NSString).appendingPathComponent(other), (staging as NSString).appendingPathComponent(other)) == 0 else {
                throw WriteFailure(path: (folder as NSString).appendingPathComponent(other), code: errno)
            }
        }
        try swapIn(staging, over: folder)
    } catch {
        try? FileManager.default.removeItem(atPath: staging)
        throw error
    }
    try? FileManager.default.removeItem(atPath: staging)  // the old folder, swapped out
}

/// The names in `folder` the new set keeps as they are: every entry not in `replacing`, which
/// must be regular files. Empty when the folder does not exist yet.
func carriedOver(_ folder: String, replacing: Set<String>) throws -> [String] {
    var info = stat()
    guard lstat(folder, &info) == 0 else { return [] }
    guard info.st_mode & S_IFMT == S_IFDIR else { throw FolderRefusal("\(folder) is not a folder") }
    let names = try FileManager.default.contentsOfDirectory(atPath: folder)
    for name in names where !replacing.contains(name) {
        guard lstat((folder as NSString).appendingPathComponent(name), &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw FolderRefusal("\(folder) holds \(name), which is not a plain file; write into a new or a plain folder")
        }
    }
    return names.filter { !replacing.contains($0) }.sorted()
}

/// Puts the folder `staging` at `target`, leaving the old target (if any) at `staging`.
func swapIn(_ staging: String, over target: String) throws {
    var info = stat()
    if lstat(target, &info) != 0 {
        guard rename(staging, target) == 0 else { throw WriteFailure(path: target, code: errno) }
        return
    }
    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    let renameExchange: UInt32 = 2  // RENAME_EXCHANGE, Linux 3.15
    if let exchange = unsafeBitCast(dlsym(nil, "renameat2"), to: RenameAt2?.self),
       exchange(AT_FDCWD, staging, AT_FDCWD, target, renameExchange) == 0 {
        return
    }
    let aside = staging + ".old"
    guard rename(target, aside) == 0 else { throw WriteFailure(path: target, code: errno) }
    guard rename(staging, target) == 0 else {
        let code = errno
        rename(aside, target)
        throw WriteFailure(path: target, code: code)
    }
    rename(aside, staging)
}

/// A folder `writeFolderAtomically` will not write into, and why.
public struct FolderRefusal: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
