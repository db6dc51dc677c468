import Foundation

/// A progress bar on standard error when it is a terminal (`label [#####.....] 512/1000 1234/s`);
/// silent otherwise, so logs and pipes stay clean. Safe to advance from several threads.
final class ProgressBar: @unchecked Sendable {
    let label: String
    let total: Int
    let enabled = isatty(2) != 0
    private var done = 0
    private let lock = NSLock()
    private let start = Date()

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
    }

    func advance(by n: Int) {
        lock.lock()
        defer { lock.unlock() }
        done += n
        let rate = Double(done) / max(Date().timeIntervalSince(start), 1e-6)
        draw("\(Int(rate))/s")
    }

    /// Sets the count and shows `detail` after the bar.
    func show(_ count: Int, _ detail: String) {
        lock.lock()
        defer { lock.unlock() }
        done = count
        draw(detail)
    }

    private func draw(_ detail: String) {
        guard enabled else { return }
        let width = 30
        let filled = total == 0 ? width : width * min(done, total) / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total) \(detail)\u{1B}[K".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
