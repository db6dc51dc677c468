import Foundation
import Testing
@testable import Data

@Suite struct PNGTests {
    func decode(_ b: PNGBuilder) throws -> Image { try PNG.decode(b.bytes) }

    @Test func grayAtEveryBitDepth() throws {
        // 1-bit: bits 1,0,1 → 255, 0, 255 (low depths scale to the full 8-bit range).
        var img = try decode(PNGBuilder(width: 3, height: 1, colorType: 0, bitDepth: 1, rows: [[0b1010_0000]]))
        #expect(img.channels == 1 && img.pixels == [255, 0, 255])
        // 2-bit: 0,1,2,3 → 0, 85, 170, 255.
        img = try decode(PNGBuilder(width: 4, height: 1, colorType: 0, bitDepth: 2, rows: [[0b0001_1011]]))
        #expect(img.pixels == [0, 85, 170, 255])
        // 4-bit: 0x3, 0xC → 51, 204.
        img = try decode(PNGBuilder(width: 2, height: 1, colorType: 0, bitDepth: 4, rows: [[0x3C]]))
        #expect(img.pixels == [51, 204])
        // 8-bit, two rows.
        img = try decode(PNGBuilder(width: 2, height: 2, colorType: 0, bitDepth: 8, rows: [[0, 128], [200, 255]]))
        #expect(img.width == 2 && img.height == 2 && img.pixels == [0, 128, 200, 255])
        // 16-bit: v · 255 / 65535 rounded: 0x0000 → 0, 0x8080 → 128, 0x1234 → 18, 0xFFFF → 255.
        img = try decode(PNGBuilder(width: 4, height: 1, colorType: 0, bitDepth: 16,
                                    rows: [[0x00, 0x00, 0x80, 0x80, 0x12, 0x34, 0xFF, 0xFF]]))
        #expect(img.pixels == [0, 128, 18, 255])
    }

    @Test func grayAlphaRGBAndRGBA() throws {
        // Gray+alpha composited on black: 200 at alpha 255 → 200; 200 at alpha 128 → 200·128/255 = 100.4 → 100.
        var img = try decode(PNGBuilder(width: 2, height: 1, colorType: 4, bitDepth: 8, rows: [[200, 255, 200, 128]]))
        #expect(img.channels == 1 && img.pixels == [200, 100])
        // 16-bit gray+alpha: 0xFFFF at alpha 0x8000 → premultiplied 0x8000 → 128.
        img = try decode(PNGBuilder(width: 1, height: 1, colorType: 4, bitDepth: 16, rows: [[0xFF, 0xFF, 0x80, 0x00]]))
        #expect(img.pixels == [128])
        img = try decode(PNGBuilder(width: 2, height: 1, colorType: 2, bitDepth: 8, rows: [[255, 0, 0, 10, 20, 30]]))
        #expect(img.channels == 3 && img.pixels == [255, 0, 0, 10, 20, 30])
        img = try decode(PNGBuilder(width: 1, height: 1, colorType: 2, bitDepth: 16, rows: [[0x80, 0x80, 0x40, 0x40, 0xFF, 0xFF]]))
        #expect(img.pixels == [128, 64, 255])
        // RGBA (200, 100, 50) at alpha 128 → (100, 50, 25).
        img = try decode(PNGBuilder(width: 1, height: 1, colorType: 6, bitDepth: 8, rows: [[200, 100, 50, 128]]))
        #expect(img.pixels == [100, 50, 25])
        img = try decode(PNGBuilder(width: 1, height: 1, colorType: 6, bitDepth: 16,
                                    rows: [[0xFF, 0xFF, 0x00, 0x00, 0x80, 0x80, 0xFF, 0xFF]]))
        #expect(img.pixels == [255, 0, 128])
    }

    @Test func palettes() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 40, 40, 40]
        // 8-bit indices 3, 0, 2.
        var img = try decode(PNGBuilder(width: 3, height: 1, colorType: 3, bitDepth: 8, rows: [[3, 0, 2]], palette: palette))
        #expect(img.channels == 3 && img.pixels == [40, 40, 40, 255, 0, 0, 0, 0, 255])
        // 2-bit indices 1, 3 with tRNS: entry 1 alpha 0 → black.
        img = try decode(PNGBuilder(width: 2, height: 1, colorType: 3, bitDepth: 2, rows: [[0b0111_0000]],
                                    palette: palette, transparency: [255, 0]))
        #expect(img.pixels == [0, 0, 0, 40, 40, 40])
        // 1-bit and 4-bit indices.
        img = try decode(PNGBuilder(width: 2, height: 1, colorType: 3, bitDepth: 1, rows: [[0b0100_0000]], palette: palette))
        #expect(img.pixels == [255, 0, 0, 0, 255, 0])
        img = try decode(PNGBuilder(width: 2, height: 1, colorType: 3, bitDepth: 4, rows: [[0x21]], palette: palette))
        #expect(img.pixels == [0, 0, 255, 0, 255, 0])
    }

    /// libpng shows a palette index past the palette as black without a word: refused instead.
    @Test func paletteIndexPastThePaletteIsRefused() {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0]
        var message = ""
        do { _ = try decode(PNGBuilder(width: 3, height: 1, colorType: 3, bitDepth: 8, rows: [[0, 1, 5]], palette: palette)) } catch {
            message = "\(error)"
        }
        #expect(message.contains("palette index 5") && message.contains("2-color palette"))
    }

    @Test func encodeRoundTrips() throws {
        let gray = Image(width: 3, height: 2, channels: 1, pixels: [0, 1, 2, 250, 254, 255])
        #expect(try PNG.decode(try PNG.encode(gray)) == gray)
        let rgb = Image(width: 2, height: 1, channels: 3, pixels: [1, 2, 3, 200, 100, 0])
        #expect(try PNG.decode(try PNG.encode(rgb)) == rgb)
    }

    @Test func badFilesGiveErrorsNotCrashes() throws {
        let good = PNGBuilder(width: 5, height: 4, colorType: 2, bitDepth: 8,
                              rows: (0..<4).map { r in (0..<15).map { UInt8(($0 * 17 + r * 31) % 256) } }).bytes
        // Every cut before the end of the image data fails; a file missing only its 12-byte IEND
        // trailer still holds the whole image, and libpng decodes it.
        for length in 0..<(good.count - 12) {
            #expect(throws: DataError.self) { try PNG.decode(Array(good[0..<length])) }
        }
        #expect(throws: DataError.self) { try PNG.decode(Array("definitely not a png".utf8)) }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bad = good
            bad[Int.random(in: 0..<bad.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            _ = try? PNG.decode(bad)
        }
        do {
            _ = try PNG.decode(Array(good[0..<(good.count - 20)]))
        } catch {
            #expect(error.message.hasPrefix("PNG decode failed: "))
        }
        #expect(throws: DataError("/no/such.png: cannot read the file (missing or not readable)")) {
            try PNG.read(path: "/no/such.png")
        }
    }
}
