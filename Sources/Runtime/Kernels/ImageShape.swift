/// Geometry of one NHWC image with batch 1: element (y, x, c) lives at `(y · width + x) · channels + c`.
public struct ImageShape: Equatable {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    public var count: Int { height * width * channels }
}
