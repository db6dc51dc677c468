/// The shape of one example's tensor, batch excluded: `[H, W, C]` for an NHWC image,
/// `[N]` for a vector. Example: a Fashion-MNIST image is `Shape([28, 28, 1])`, printed `28×28×1`.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }

    /// Number of elements of one example.
    public var count: Int { dims.reduce(1, *) }
    /// Number of elements, or nil if it overflows `Int`.
    public var checkedCount: Int? {
        var count = 1
        for d in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            count = product
        }
        return count
    }

    public var isImage: Bool { dims.count == 3 }
    public var height: Int { dims[0] }
    public var width: Int { dims[1] }
    /// Channels of an image, or the length of a vector: always the last dimension.
    public var channels: Int { dims[dims.count - 1] }

    public var description: String { dims.map(String.init).joined(separator: "×") }
}
