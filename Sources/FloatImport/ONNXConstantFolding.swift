import Foundation
import ONNXFile

/// The shape arithmetic exporters leave in graphs (`Shape → Gather → Unsqueeze → Concat →
/// Reshape`, PyTorch's `x.view(x.size(0), -1)`), evaluated at import when every input is a
/// constant. Example: `Shape([1, 64, 1, 1]) → Gather(0) → Unsqueeze → Concat([_, [-1]])` folds to
/// the constant `[1, -1]` a Reshape then reads.
extension ONNXImporter {
    static let foldable: Set<String> = ["Constant", "Identity", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast",
                                        "ConstantOfShape", "Slice", "Range", "Reshape", "Flatten", "Add", "Sub", "Mul", "Div",
                                        "Transpose", "Size"]

    /// The node's outputs if it is computable now (a constant op, or every input a constant, or a
    /// `Shape`/`Size` of a tensor whose dims are known), else nil.
    func folded(_ n: Onnx_NodeProto, _ a: Attributes, _ label: String) throws(FloatImportError) -> [ONNXValue]? {
        if n.opType == "Constant" { return [.constant(try constantAttribute(a, label))] }
        guard Self.foldable.contains(n.opType) else { return nil }
        var inputs: [ConstantTensor?] = []
        for k in 0..<n.input.count {
            switch try value(n, k, label) {
            case let .constant(c): inputs.append(c)
            case nil: inputs.append(nil)
            case let .tensor(t):
                guard k == 0, n.opType == "Shape" || n.opType == "Size" else { return nil }
                inputs.append(ConstantTensor(dims: t.dims, values: [], isInteger: true))
            case .hardSigmoid: return nil
            }
        }
        guard let x = inputs.first ?? nil else { return nil }
        func input(_ k: Int) -> ConstantTensor? { k < inputs.count ? inputs[k] : nil }
        func fail(_ why: String) -> FloatImportError { FloatImportError("\(label): \(n.opType): \(why)") }
        func axis(_ v: Int, rank: Int) throws(FloatImportError) -> Int {
            let r = v < 0 ? v + rank : v
            guard (0..<max(rank, 1)).contains(r) else { throw fail("axis \(v) is out of range for rank \(rank)") }
            return r
        }
        func axesList(_ k: Int) -> [Int]? { a.ints("axes") ?? input(k)?.ints }
        let result: ConstantTensor
        switch n.opType {
        case "Identity":
            result = x
        case "Shape":
            let rank = x.dims.count
            var start = a.int("start", 0), end = a.int("end", rank)
            if start < 0 { start += rank }
            if end < 0 { end += rank }
            start = min(max(start, 0), rank); end = min(max(end, start), rank)
            result = ConstantTensor(dims: [end - start], values: x.dims[start..<end].map(Double.init), isInteger: true)
        case "Size":
            result = ConstantTensor(dims: [], values: [Double(x.dims.reduce(1, *))], isInteger: true)
        case "Gather":
            guard let indices = input(1) else { throw fail("needs indices") }
            let ax = try axis(a.int("axis", 0), rank: x.dims.count)
            let outer = x.dims[..<ax].reduce(1, *), inner = x.dims[(ax + 1)...].reduce(1, *), size = x.dims[ax]
            var values: [Double] = []
            for o in 0..<outer {
                for i in indices.ints {
                    let j = i < 0 ? i + size : i
                    guard (0..<size).contains(j) else { throw fail("index \(i) is out of range for size \(size)") }
                    values += x.values[((o * size + j) * inner)..<((o * size + j + 1) * inner)]
                }
            }
            result = ConstantTensor(dims: Array(x.dims[..<ax]) + indices.dims + Array(x.dims[(ax + 1)...]), values: values, isInteger: x.isInteger)
        case "Unsqueeze":
            guard let axes = axesList(1) else { throw fail("needs axes") }
            var dims = x.dims
            let rank = dims.count + axes.count
            for ax in try axes.map({ (v: Int) throws(FloatImportError) in try axis(v, rank: rank) }).sorted() { dims.insert(1, at: ax) }
            result = ConstantTensor(dims: dims, values: x.values, isInteger: x.isInteger)
        case "Squeeze":
            let rank = x.dims.count
            let axes = try (axesList(1) ?? x.dims.indices.filter { x.dims[$0] == 1 }).map { (v: Int) throws(FloatImportError) in try axis(v, rank: rank) }
            guard axes.allSatisfy({ x.dims[$0] == 1 }) else { throw fail("squeezes an axis whose size is not 1") }
            result = ConstantTensor(dims: x.dims.indices.filter { !axes.contains($0) }.map { x.dims[$0] }, values: x.values, isInteger: x.isInteger)
        case "Concat":
            let parts = inputs.compactMap { $0 }
            let ax = try axis(a.int("axis", 0), rank: x.dims.count)
            guard parts.allSatisfy({ $0.dims.count == x.dims.count && zip($0.dims, x.dims).enumerated().allSatisfy { $0.offset == ax || $0.element.0 == $0.element.1 } }) else {
                throw fail("inputs' dims do not agree")
            }
            let outer = x.dims[..<ax].reduce(1, *)
            var values: [Double] = []
            for o in 0..<outer {
                for p in parts {
                    let chunk = p.dims[ax...].reduce(1, *)
                    values += p.values[(o * chunk)..<((o + 1) * chunk)]
                }
            }
            var dims = x.dims
            dims[ax] = parts.reduce(0) { $0 + $1.dims[ax] }
            result = ConstantTensor(dims: dims, values: values, isInteger: x.isInteger)
        case "Cast":
            let to = Onnx_TensorProto.DataType(rawValue: a.int("to", 1)) ?? .undefined
            let integer = ![.float, .double, .float16, .bfloat16].contains(to)
            result = ConstantTensor(dims: x.dims, values: integer ? x.values.map { $0.rounded(.towardZero) } : x.values.map { Double(Float($0)) }, isInteger: integer)
        case "ConstantOfShape":
            let fill = try a.tensor("value") ?? ConstantTensor(dims: [1], values: [0], isInteger: false)
            let dims = x.ints
            guard dims.allSatisfy({ (0...1 << 28).contains($0) }), let span = checkedProduct(dims.map { max($0, 1) }), span <= 1 << 28, let v = fill.values.first else { throw fail("bad shape \(dims)") }
            result = ConstantTensor(dims: dims, values: [Double](repeating: v, count: checkedProduct(dims) ?? 0), isInteger: fill.isInteger)
        case "Slice":
            let starts = a.ints("starts") ?? input(1)?.ints ?? [], ends = a.ints("ends") ?? input(2)?.ints ?? []
            let axes = a.ints("axes") ?? input(3)?.ints ?? Array(0..<starts.count)
            let steps = input(4)?.ints ?? [Int](repeating: 1, count: starts.count)
            guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count, !steps.contains(0) else { throw fail("starts, ends, axes and steps disagree") }
            var ranges = x.dims.map { Array(0..<$0) }
            for k in 0..<starts.count {
                let ax = try axis(axes[k], rank: x.dims.count), d = x.dims[ax], step = steps[k]
                func clamp(_ v: Int, _ low: Int, _ high: Int) -> Int { min(max(v < 0 ? v + d : v, low), high) }
                if step > 0 {
                    ranges[ax] = Array(stride(from: clamp(starts[k], 0, d), to: clamp(ends[k], 0, d), by: step))
                } else {
                    ranges[ax] = Array(stride(from: clamp(starts[k], -1, d - 1), to: clamp(ends[k], -1, d - 1), by: step))
                }
            }
            result = gatherProduct(x, ranges)
        case "Range":
            guard let start = x.values.first, let limit = input(1)?.values.first, let delta = input(2)?.values.first, delta != 0 else { throw fail("needs start, limit and a nonzero delta") }
            let steps = ((limit - start) / delta).rounded(.up)
            guard steps.isFinite, steps <= Double(1 << 24) else { throw fail("range from \(start) to \(limit) by \(delta) is too long") }
            let count = max(Int(steps), 0)
            guard count <= 1 << 24 else { throw fail("range of \(count) values is too long") }
            result = ConstantTensor(dims: [count], values: (0..<count).map { start + Double($0) * delta }, isInteger: x.isInteger)
        case "Reshape", "Flatten":
            let dims: [Int]
            if n.opType == "Flatten" {
                let ax = try axis(a.int("axis", 1), rank: x.dims.count + 1)
                dims = [x.dims[..<ax].reduce(1, *), x.dims[ax...].reduce(1, *)]
            } else {
                guard let target = input(1) else { throw fail("needs a shape") }
                dims = try resolvedShape(target.ints, of: x.dims, allowZero: a.int("allowzero", 0) != 0, label)
            }
            result = ConstantTensor(dims: dims, values: x.values, isInteger: x.isInteger)
        case "Transpose":
            let perm = a.ints("perm") ?? Array((0..<x.dims.count).reversed())
            guard perm.sorted() == Array(0..<x.dims.count) else { throw fail("perm \(perm) is not a permutation") }
            result = gatherProduct(x, perm.map { Array(0..<x.dims[$0]) }, axes: perm)
        default:  // Add, Sub, Mul, Div
            guard let y = input(1) else { throw fail("needs two inputs") }
            let rank = max(x.dims.count, y.dims.count)
            let xd = [Int](repeating: 1, count: rank - x.dims.count) + x.dims, yd = [Int](repeating: 1, count: rank - y.dims.count) + y.dims
            var dims: [Int] = []
            for (p, q) in zip(xd, yd) {
                guard p == q || p == 1 || q == 1 else { throw fail("dims \(x.dims) and \(y.dims) do not broadcast") }
                dims.append(p == 1 ? q : p)
            }
            guard let xs = x.broadcast(to: dims), let ys = y.broadcast(to: dims) else { throw fail("dims \(x.dims) and \(y.dims) do not broadcast") }
            let integer = x.isInteger && y.isInteger
            let values: [Double] = zip(xs, ys).map { p, q in
                switch n.opType {
                case "Add": return p + q
                case "Sub": return p - q
                case "Mul": return p * q
                default: return integer ? (q == 0 ? 0 : (p / q).rounded(.towardZero)) : p / q
                }
            }
            result = ConstantTensor(dims: dims, values: integer ? values : values.map { Double(Float($0)) }, isInteger: integer)
        }
        return [.constant(result)]
    }

    /// The elements of `x` at the given index lists per axis (`axes[k]`: which source axis the
    /// k-th output axis walks), row-major.
    private func gatherProduct(_ x: ConstantTensor, _ ranges: [[Int]], axes: [Int]? = nil) -> ConstantTensor {
        let axes = axes ?? Array(0..<x.dims.count)
        var strides = [Int](repeating: 1, count: x.dims.count)
        for k in stride(from: x.dims.count - 2, through: 0, by: -1) { strides[k] = strides[k + 1] * x.dims[k + 1] }
        var values: [Double] = []
        func walk(_ k: Int, _ offset: Int) {
            if k == ranges.count { values.append(x.values[offset]); return }
            for i in ranges[k] { walk(k + 1, offset + i * strides[axes[k]]) }
        }
        if !x.values.isEmpty { walk(0, 0) }
        return ConstantTensor(dims: ranges.map(\.count), values: values, isInteger: x.isInteger)
    }

    /// A Reshape target with ONNX's 0 (copy the input's dim, unless `allowZero`) and −1 (infer).
    func resolvedShape(_ target: [Int], of dims: [Int], allowZero: Bool, _ label: String) throws(FloatImportError) -> [Int] {
        var out = target
        for (k, v) in target.enumerated() where v == 0 && !allowZero {
            guard k < dims.count else { throw FloatImportError("\(label): Reshape copies dim \(k) the input lacks") }
            out[k] = dims[k]
        }
        guard out.filter({ $0 == -1 }).count <= 1, out.allSatisfy({ $0 >= -1 }), let total = checkedProduct(dims),
              let known = checkedProduct(out.filter { $0 != -1 }), known > 0 || total == 0 else {
            throw FloatImportError("\(label): Reshape target \(target) is not a shape")
        }
        if let k = out.firstIndex(of: -1) { out[k] = known == 0 ? 0 : total / known }
        guard checkedProduct(out) == total else {
            throw FloatImportError("\(label): Reshape target \(target) does not hold the input's \(total) values (dims \(dims))")
        }
        return out
    }

    func constantAttribute(_ a: Attributes, _ label: String) throws(FloatImportError) -> ConstantTensor {
        if let t = try a.tensor("value") { return t }
        if a.has("value_float") { return ConstantTensor(dims: [], values: [Double(a.float("value_float", 0))], isInteger: false) }
        if let v = a.floats("value_floats") { return ConstantTensor(dims: [v.count], values: v.map(Double.init), isInteger: false) }
        if a.has("value_int") { return ConstantTensor(dims: [], values: [Double(a.int("value_int", 0))], isInteger: true) }
        if let v = a.ints("value_ints") { return ConstantTensor(dims: [v.count], values: v.map(Double.init), isInteger: true) }
        throw FloatImportError("\(label): Constant has no numeric value (sparse and string constants are not supported)")
    }
}
