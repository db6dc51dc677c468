import CZlib
import Foundation

/// Whole-file reading and writing through zlib's gz* functions. Reading is transparent: a plain
/// (uncompressed) file reads as itself, a gzip file is inflated.
public enum Gzip {
    /// The file's bytes, inflated if it is gzip. A truncated or corrupt gzip stream is an error.
    public static func read(path: String) throws(DataError) -> [UInt8] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DataError("\(path): cannot read the file (missing or not readable)")
        }
        guard let file = gzopen(path, "rb") else { throw DataError("\(path): cannot open") }
        defer { gzclose(file) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw DataError("\(path): gzip stream is corrupt: \(errorText(file))") }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        var code: Int32 = 0
        let message = String(cString: gzerror(file, &code))
        if code != Z_OK && code != Z_STREAM_END {
            throw DataError("\(path): gzip stream is truncated or corrupt: \(message)")
        }
        return out
    }

    /// Writes `bytes` gzip-compressed (level 9) to a temporary file, then renames it into place.
    public static func write(_ bytes: [UInt8], to path: String) throws(DataError) {
        let temporary = path + ".tmp-\(getpid())"
        guard let file = gzopen(temporary, "wb9") else { throw DataError("\(temporary): cannot create") }
        var offset = 0
        while offset < bytes.count {
            let n = min(1 << 20, bytes.count - offset)
            let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress! + offset, UInt32(n)) }
            if written <= 0 {
                gzclose(file)
                unlink(temporary)
                throw DataError("\(path): write failed")
            }
            offset += Int(written)
        }
        guard gzclose(file) == Z_OK, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw DataError("\(path): write failed")
        }
    }

    private static func errorText(_ file: gzFile) -> String {
        var code: Int32 = 0
        return String(cString: gzerror(file, &code))
    }
}
