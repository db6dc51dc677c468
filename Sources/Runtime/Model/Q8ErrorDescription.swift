#if !$Embedded
/// Host-only: `op 3: filter size does not match …`, `tensor 7: …`, `byte 12: …`.
extension Q8Error: CustomStringConvertible {
    public var description: String {
        let place: String
        switch self.place {
        case .file: place = "model.q8"
        case let .byte(b): place = "byte \(b)"
        case let .section(tag):
            let letters = (0..<4).map { Character(UnicodeScalar(UInt8(truncatingIfNeeded: tag >> (8 * $0)))) }
            place = "section \(String(letters))"
        case let .tensor(t): place = "tensor \(t)"
        case let .op(o): place = "op \(o)"
        }
        return "\(place): \(message)" + (value.map { " (value \($0))" } ?? "")
    }
}
#endif
