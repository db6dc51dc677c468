/// y = a + b element-wise over `count` values.
func addF32(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, _ y: UnsafeMutablePointer<Float>) {
    for i in 0..<count { y[i] = a[i] + b[i] }
}
