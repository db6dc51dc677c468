/// Applies an element-wise nonlinearity to `count` values.
func activationF32(_ a: Activation, _ x: UnsafePointer<Float>, count: Int, _ y: UnsafeMutablePointer<Float>) {
    switch a {
    case .relu: for i in 0..<count { y[i] = max(x[i], 0) }
    case .relu6: for i in 0..<count { y[i] = min(max(x[i], 0), 6) }
    default: for i in 0..<count { y[i] = a.apply(x[i]) }
    }
}
