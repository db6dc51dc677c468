/// Bad or missing input data, with the file and the problem named.
/// Example: `truncated.png: PNG decode failed: IDAT: incorrect data check`.
public struct DataError: Error, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
