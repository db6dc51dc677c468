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

/// Per-output-channel requantization: `multipliers[c]` (Q31) and `shifts[c]` as TFLite's
/// `QuantizeMultiplier` encodes `inputScale · weightScale[c] / outputScale`.
public struct ChannelRequantization {
    public var multipliers: UnsafePointer<Int32>
    public var shifts: UnsafePointer<Int32>

    public init(multipliers: UnsafePointer<Int32>, shifts: UnsafePointer<Int32>) {
        self.multipliers = multipliers
        self.shifts = shifts
    }

    /// `acc` scaled to the output: `multiplyByQuantizedMultiplier(acc, multipliers[c], shifts[c])`.
    @inlinable @inline(__always)
    public func apply(_ acc: Int32, channel c: Int) -> Int32 {
        multiplyByQuantizedMultiplier(acc, multipliers[c], shifts[c])
    }
}
