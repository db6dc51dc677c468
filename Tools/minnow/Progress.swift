import Foundation

/// Progress on standard error: a bar when it is a terminal (`label [#####.....] 512/1000 1234/s`),
/// otherwise a line at each tenth of the work with the elapsed time and an estimate of what is
/// left (`calibrating: 400/2000 (20 %), 12 s, about 48 s left`) and one when it is done, so a
/// log shows where a long run is. Safe to advance from several threads.
final class ProgressBar: @unchecked Sendable {
    let label: String
    let total: Int
    let enabled = isatty(2) != 0
    private var done = 0
    private var loggedTenths = 0
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
        guard enabled else { return logLine() }
        let width = 30
        let filled = total == 0 ? width : width * min(done, total) / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total) \(detail)\u{1B}[K".utf8))
    }

    /// Without a terminal: a line each time another tenth of the work is done.
    private func logLine() {
        guard total > 0 else { return }
        let tenths = 10 * min(done, total) / total
        guard tenths > loggedTenths, tenths < 10 else { return }
        loggedTenths = tenths
        let elapsed = Date().timeIntervalSince(start)
        let left = elapsed * Double(total - done) / Double(max(done, 1))
        FileHandle.standardError.write(Data(String(format: "%@: %d/%d (%d %%), %.0f s, about %.0f s left\n",
                                                   label, done, total, 100 * min(done, total) / total, elapsed, left).utf8))
    }

    func finish() {
        if enabled {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        } else {
            FileHandle.standardError.write(Data("\(label): done\n".utf8))  // the stage's time is the caller's to print, once
        }
    }
}
