import Q8Build
import TFLiteFile

/// Shape arithmetic on constant shapes, computed at import: Keras writes a Flatten or a Reshape
/// with a dynamic batch as SHAPE → STRIDED_SLICE → PACK feeding RESHAPE's shape input. These
/// operators emit no model.q8 op; their int vectors go to `folded`, which `indices` reads as
/// constants, and RESHAPE checks its folded shape against its output's. Stacking activations
/// is refused by name; slicing them is `stridedSliceOfData`.
/// Example: SHAPE of a `[1, 1, 1, 576]` tensor is `[1, 1, 1, 576]`; STRIDED_SLICE `[0:1]` with
/// shrink → `[1]`; PACK with `-1` → `[1, -1]`, which RESHAPE to `[1, 576]` agrees with.
extension TFLiteImporter {
    /// SHAPE: the input's static dimensions (batch 1, as everything the importer runs).
    mutating func shape(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        guard tensor(y).type == .int32 || tensor(y).type == .int64 else { throw Unsupported("output type is not int32 or int64") }
        folded[y] = tensor(x).shape
    }

    /// STRIDED_SLICE of a folded or constant vector, with TFLite's begin/end masks, negative
    /// indices, any nonzero stride and shrink (one element, rank 0).
    mutating func stridedSlice(_ op: TFLiteModel.Operator) throws(Unsupported) {
        let x = try input(op, 0), y = op.outputs[0]
        guard folded[x] != nil || tensor(x).data != nil else { return try stridedSliceOfData(op) }
        guard case let .stridedSlice(beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask, offset) = op.options else {
            throw Unsupported("options are missing")
        }
        let values = try indices(x)
        let begin = try indices(try input(op, 1)), end = try indices(try input(op, 2))
        let strides = op.inputs.count > 3 ? try indices(try input(op, 3)) : [1]
        guard tensor(x).shape.count == 1, begin.count == 1, end.count == 1, strides.count == 1 else {
            throw Unsupported("folds one-dimensional slices only")
        }
        guard ellipsisMask == 0, newAxisMask == 0, !offset else { throw Unsupported("ellipsis, new-axis or offset slices") }
        let n = values.count, step = strides[0]
        guard step != 0 else { throw Unsupported("stride 0") }
        func position(_ v: Int) -> Int { v < 0 ? v + n : v }
        let first = beginMask & 1 != 0 ? (step > 0 ? 0 : n - 1)
            : (step > 0 ? min(max(position(begin[0]), 0), n) : min(max(position(begin[0]), -1), n - 1))
        if shrinkAxisMask & 1 != 0 {
            let i = position(begin[0])
            guard (0..<n).contains(i) else { throw Unsupported("index \(begin[0]) outside \(n) values") }
            folded[y] = [values[i]]
            return
        }
        let last = endMask & 1 != 0 ? (step > 0 ? n : -1)
            : (step > 0 ? min(max(position(end[0]), 0), n) : min(max(position(end[0]), -1), n - 1))
        folded[y] = stride(from: first, to: last, by: step).map { values[$0] }
    }

    /// PACK of folded or constant scalars (or one-value vectors) into one vector.
    mutating func pack(_ op: TFLiteModel.Operator) throws(Unsupported) {
        guard case let .pack(_, axis) = op.options else { throw Unsupported("options are missing") }
        var packed: [Int] = []
        for k in op.inputs.indices {
            let t = try input(op, k)
            guard folded[t] != nil || tensor(t).data != nil else {
                throw Unsupported("stacking activations (only shape arithmetic on constants is folded)")
            }
            let v = try indices(t)
            guard v.count == 1, tensor(t).shape.count <= 1 else { throw Unsupported("folds scalars only") }
            packed += v
        }
        guard axis == 0 || axis == -1 else { throw Unsupported("axis \(axis) of scalars") }
        folded[op.outputs[0]] = packed
    }

    /// Throws unless RESHAPE's shape input, where it has one and it is known at import, gives
    /// the output's dimensions (one −1 inferred from the element count).
    func requireReshapeAgrees(_ op: TFLiteModel.Operator) throws(Unsupported) {
        guard op.inputs.count > 1, op.inputs[1] >= 0, folded[op.inputs[1]] != nil || tensor(op.inputs[1]).data != nil else { return }
        var wanted = try indices(op.inputs[1])
        let y = tensor(op.outputs[0])
        if let free = wanted.firstIndex(of: -1) {
            let known = wanted.enumerated().filter { $0.offset != free }.reduce(1) { $0 * $1.element }
            guard known > 0, y.count % known == 0 else { throw Unsupported("shape \(wanted) does not divide \(y.count) values") }
            wanted[free] = y.count / known
        }
        guard wanted == y.shape else { throw Unsupported("shape input \(wanted) disagrees with the output's \(y.shape)") }
    }
}
