import Testing
@testable import Data

@Suite struct ImageTests {
    @Test func channelConversion() {
        // ITU-R 601 luma: (299·255 + 500) / 1000 = 76 for pure red; (299·10 + 587·20 + 114·30 + 500)/1000 = 18.
        let rgb = Image(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 10, 20, 30])
        #expect(rgb.converted(toChannels: 1).pixels == [76, 18])
        let gray = Image(width: 2, height: 1, channels: 1, pixels: [7, 9])
        #expect(gray.converted(toChannels: 3).pixels == [7, 7, 7, 9, 9, 9])
    }

    @Test func bilinearResize() {
        // Half-pixel centers, 2 → 4: sources −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1):
        // 0, 0.25·255 = 63.75 → 64, 0.75·255 = 191.25 → 191, 255.
        let img = Image(width: 2, height: 1, channels: 1, pixels: [0, 255])
        #expect(img.resized(width: 4, height: 1).pixels == [0, 64, 191, 255])
        // 4 → 2 averages pairs: sources 0.5 and 2.5.
        let wide = Image(width: 4, height: 1, channels: 1, pixels: [0, 100, 200, 250])
        #expect(wide.resized(width: 2, height: 1).pixels == [50, 225])
        // Downscaling along H with 3 channels keeps channels apart.
        let tall = Image(width: 1, height: 2, channels: 3, pixels: [0, 10, 20, 100, 110, 120])
        #expect(tall.resized(width: 1, height: 1).pixels == [50, 60, 70])
    }

    @Test func centerCropAndFit() {
        let img = Image(width: 4, height: 3, channels: 1, pixels: Array(0..<12))
        // 2×1 centered: x from (4−2)/2 = 1, y from (3−1)/2 = 1 → row 1, columns 1 and 2.
        #expect(img.centerCropped(width: 2, height: 1).pixels == [5, 6])
        // A 40×20 image fitted to 28×28 is scaled to 56×28 and loses 14 columns each side.
        let stripes = Image(width: 40, height: 20, channels: 3,
                            pixels: (0..<(40 * 20)).flatMap { i -> [UInt8] in let v: UInt8 = i % 40 < 20 ? 0 : 255; return [v, v, v] })
        let fitted = stripes.fitted(width: 28, height: 28, channels: 1)
        #expect(fitted.width == 28 && fitted.height == 28 && fitted.channels == 1)
        #expect(fitted.pixels[0] == 0 && fitted.pixels[27] == 255)
    }
}
