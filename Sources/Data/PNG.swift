import CPNG
import Foundation

/// PNG decoding and encoding through libpng's simplified API, which reports errors as return
/// values (libpng's longjmp never crosses into Swift).
public enum PNG {
    /// Decodes a PNG of any color type (gray, gray+alpha, RGB, RGBA, palette; 1–16 bits).
    /// Gray and gray+alpha images give 1 channel, the others 3; alpha is composited onto black
    /// (`v · a / 255`, rounded). 16-bit samples become `v · 255 / 65535`, rounded (0x8080 → 128),
    /// taken as stored unless the file has a gAMA chunk (then libpng converts them to linear light).
    public static func decode(_ bytes: [UInt8]) throws(DataError) -> Image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw DataError("PNG decode failed: \(message(of: &image))") }
        defer { png_image_free(&image) }
        let isColor = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let (width, height) = (Int(image.width), Int(image.height))
        guard width * height <= 1 << 26 else {
            throw DataError("PNG is \(width)×\(height), larger than this tool reads (64 Mpixel)")
        }
        if image.format & UInt32(PNG_FORMAT_FLAG_COLORMAP) != 0 { try checkPaletteIndices(bytes, width: width, height: height) }
        let isSixteenBit = image.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA) | (isSixteenBit ? UInt32(PNG_FORMAT_FLAG_LINEAR) : 0)
        let samples = width * height * 4
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        if isSixteenBit {
            // libpng's 16-bit output holds the stored values (a file without a gAMA chunk is taken
            // as linear) premultiplied by alpha, which is compositing onto black.
            var rgba = [UInt16](repeating: 0, count: samples)
            try finishRead(&image, into: &rgba, rowStride: width * 4)
            for i in 0..<(width * height) {
                for c in 0..<3 { rgb[3 * i + c] = UInt8((Int(rgba[4 * i + c]) * 255 + 32767) / 65535) }
            }
        } else {
            var rgba = [UInt8](repeating: 0, count: samples)
            try finishRead(&image, into: &rgba, rowStride: width * 4)
            for i in 0..<(width * height) {
                let a = Int(rgba[4 * i + 3])
                for c in 0..<3 { rgb[3 * i + c] = UInt8((Int(rgba[4 * i + c]) * a + 127) / 255) }
            }
        }
        let result = Image(width: width, height: height, channels: 3, pixels: rgb)
        return isColor ? result : result.converted(toChannels: 1)
    }

    /// Reads and decodes a PNG file; errors name the file.
    public static func read(path: String) throws(DataError) -> Image {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError("\(path): cannot read the file (missing or not readable)")
        }
        do { return try decode([UInt8](data)) } catch { throw DataError("\(path): \(error.message)") }
    }

    /// Encodes an 8-bit gray or RGB image as PNG.
    public static func encode(_ img: Image) throws(DataError) -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(img.width)
        image.height = UInt32(img.height)
        image.format = img.channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        var size = 0
        let stride = Int32(img.width * img.channels)
        var ok = img.pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard ok != 0 else { throw DataError("PNG encode failed: \(message(of: &image))") }
        var out = [UInt8](repeating: 0, count: size)
        ok = out.withUnsafeMutableBytes { dst in
            img.pixels.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard ok != 0 else { throw DataError("PNG encode failed: \(message(of: &image))") }
        return Array(out[0..<size])
    }

    /// Encodes and writes a PNG atomically (temporary file renamed into place).
    public static func write(_ img: Image, to path: String) throws {
        try Foundation.Data(encode(img)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func finishRead<T>(_ image: inout png_image, into buffer: inout [T], rowStride: Int) throws(DataError) {
        let finished = buffer.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(rowStride), nil) }
        guard finished != 0 else { throw DataError("PNG decode failed: \(message(of: &image))") }
    }

    /// Refuses a palette image with a pixel whose index is past its palette (libpng shows such
    /// pixels as black without a word): the indices are read as they are stored, through
    /// libpng's color-mapped output, and compared with the palette's size.
    static func checkPaletteIndices(_ bytes: [UInt8], width: Int, height: Int) throws(DataError) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw DataError("PNG decode failed: \(message(of: &image))") }
        defer { png_image_free(&image) }
        let entries = Int(image.colormap_entries)
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA | PNG_FORMAT_FLAG_COLORMAP)
        var indices = [UInt8](repeating: 0, count: width * height)
        var colormap = [UInt8](repeating: 0, count: 256 * 4)
        let finished = indices.withUnsafeMutableBytes { i in
            colormap.withUnsafeMutableBytes { png_image_finish_read(&image, nil, i.baseAddress, Int32(width), $0.baseAddress) }
        }
        guard finished != 0 else { throw DataError("PNG decode failed: \(message(of: &image))") }
        if let bad = indices.first(where: { Int($0) >= entries }) {
            throw DataError("PNG has a pixel with palette index \(bad), past its \(entries)-color palette")
        }
    }

    static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
