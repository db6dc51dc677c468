/// Spatial padding of a convolution or pooling window.
///
/// - `same`: TFLite's SAME: output = ceil(input / stride); the total padding
///   `max((out − 1)·stride + (k − 1)·dilation + 1 − in, 0)` is split with the smaller half
///   before (top/left) and the extra pixel after (bottom/right).
///   Example: in 28, k 3, stride 2 → out 14, total 1, top 0, bottom 1.
/// - `valid`: no padding; output = (in − (k − 1)·dilation − 1) / stride + 1.
/// - `explicit`: the given pixels on each side.
public enum Padding: Hashable, Sendable, CustomStringConvertible {
    case same
    case valid
    case explicit(top: Int, left: Int, bottom: Int, right: Int)

    public var description: String {
        switch self {
        case .same: return "same"
        case .valid: return "valid"
        case let .explicit(t, l, b, r): return "pad(\(t),\(l),\(b),\(r))"
        }
    }
}

/// A window sliding along one spatial axis: padding before and after, and the output length.
public struct AxisWindow: Hashable, Sendable {
    public var before: Int
    public var after: Int
    public var output: Int
}

/// Resolves padding along one axis. Returns nil when the window does not fit (output < 1).
/// `vertical` picks top/bottom (true) or left/right (false) from explicit padding.
public func resolveWindow(input: Int, kernel: Int, stride: Int, dilation: Int,
                          padding: Padding, vertical: Bool) -> AxisWindow? {
    let span = (kernel - 1) * dilation + 1
    switch padding {
    case .same:
        let out = (input + stride - 1) / stride
        let total = max((out - 1) * stride + span - input, 0)
        return out >= 1 ? AxisWindow(before: total / 2, after: total - total / 2, output: out) : nil
    case .valid:
        guard input >= span else { return nil }
        return AxisWindow(before: 0, after: 0, output: (input - span) / stride + 1)
    case let .explicit(top, left, bottom, right):
        let before = vertical ? top : left, after = vertical ? bottom : right
        let padded = input + before + after
        guard before >= 0, after >= 0, padded >= span else { return nil }
        return AxisWindow(before: before, after: after, output: (padded - span) / stride + 1)
    }
}
