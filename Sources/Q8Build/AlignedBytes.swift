/// `body` with `bytes` copied into a 16-byte aligned buffer, as `Q8Model` needs.
public func withAlignedBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: bytes)
    return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count]))
}
