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
