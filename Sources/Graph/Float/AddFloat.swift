/// y = a · b over `batch` examples of `perExample` values: b of a's shape, or `channels` values
/// per example broadcast over its pixels (`broadcast`).
func mulF32(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, batch: Int, perExample: Int, channels: Int, broadcast: Bool,
            _ y: UnsafeMutablePointer<Float>) {
    guard broadcast else {
        for i in 0..<(batch * perExample) { y[i] = a[i] * b[i] }
        return
    }
    for e in 0..<batch {
        for p in 0..<(perExample / channels) {
            let base = e * perExample + p * channels
            for c in 0..<channels { y[base + c] = a[base + c] * b[e * channels + c] }
        }
    }
}

/// y = a + b element-wise over `count` values.
func addF32(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, _ y: UnsafeMutablePointer<Float>) {
    for i in 0..<count { y[i] = a[i] + b[i] }
}
