import Foundation

/// Writes `files` (name, bytes) into `folder` as one set: a reader sees the folder as it was or
/// with every file new, never a mix, and on any failure (a full disk, a killed run) the folder is
/// as it was.
///
/// The files are written and flushed into `.<folder>.minnow-<pid>.tmp` beside it; everything
/// else the folder holds is carried over as hard links (subfolders recreated, links copied: no
/// data copied, the originals untouched); then the two folders are swapped in one
/// `renameat2(RENAME_EXCHANGE)` (two renames where the file system lacks it) and the old one is
/// removed. What cannot be carried over (a device, a mount point inside) fails before the swap.
/// Example: `writeFolderAtomically([("inputs.bin", a), ("model_data.c", b)], to: "fw")`.
public func writeFolderAtomically(_ files: [(name: String, data: Data)], to folder: String) throws {
    let url = URL(fileURLWithPath: folder).standardized
    let parent = url.deletingLastPathComponent().path, name = url.lastPathComponent
    let prefix = ".\(name).minnow-"
    var info = stat()
    let exists = lstat(folder, &info) == 0
    if exists && info.st_mode & S_IFMT != S_IFDIR { throw FolderRefusal("\(folder) is not a folder") }
    removeStaleTemporaries(in: parent, prefix: prefix)
    let staging = (parent as NSString).appendingPathComponent("\(prefix)\(getpid()).tmp")
    guard mkdir(staging, 0o755) == 0 else { throw WriteFailure(path: staging, code: errno) }
    do {
        for (file, data) in files { try writeAtomically(data, to: (staging as NSString).appendingPathComponent(file)) }
        if exists { try linkTree(folder, into: staging, skipping: Set(files.map(\.name))) }
        try swapIn(staging, over: folder)
    } catch {
        try? FileManager.default.removeItem(atPath: staging)
        throw error
    }
    try? FileManager.default.removeItem(atPath: staging)  // the old folder, swapped out
}

/// Recreates `source`'s entries (but `skipping`, at its top) inside the existing folder
/// `destination`: files as hard links, folders anew with their contents, symbolic links as links.
func linkTree(_ source: String, into destination: String, skipping: Set<String> = []) throws {
    for entry in try FileManager.default.contentsOfDirectory(atPath: source) where !skipping.contains(entry) {
        let from = (source as NSString).appendingPathComponent(entry), to = (destination as NSString).appendingPathComponent(entry)
        var info = stat()
        guard lstat(from, &info) == 0 else { throw WriteFailure(path: from, code: errno) }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard link(from, to) == 0 else { throw WriteFailure(path: from, code: errno) }
        case S_IFDIR:
            guard mkdir(to, info.st_mode & 0o7777) == 0 else { throw WriteFailure(path: to, code: errno) }
            try linkTree(from, into: to)
        case S_IFLNK:
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: from)
            guard symlink(target, to) == 0 else { throw WriteFailure(path: to, code: errno) }
        default:
            throw FolderRefusal("\(from) is neither a file, a folder nor a link; it cannot be carried over")
        }
    }
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
