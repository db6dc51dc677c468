/// A tensor of the imported graph held by a Minnow node: its dims in the source's axis order
/// (batch first, always 1 here) and `order`, the source's axes in the node's memory order,
/// outermost first. A Transpose only relabels `order`; a Reshape does when the axes it merges or
/// splits lie together in memory. Example: an NCHW activation `[1, 32, 14, 14]` held NHWC has
/// order `[0, 2, 3, 1]`; after `Transpose(perm: [0, 2, 3, 1])` it is dims `[1, 14, 14, 32]`,
/// order `[0, 1, 2, 3]`, with no data moved.
struct LaidOutTensor {
    var node: Int
    var dims: [Int]
    var order: [Int]
    /// For a flattened image whose memory order is not the row-major order of `dims` (flatten of
    /// an NCHW tensor held NHWC): the row-major index of the element at each memory position.
    /// Only a dense layer (which permutes its weight columns instead) may read such a tensor.
    var gather: [Int]? = nil

    /// The axes of size above 1, in memory order: two tensors with the same elements are stored
    /// alike when these agree.
    static func significant(_ order: [Int], _ dims: [Int]) -> [Int] { order.filter { dims[$0] != 1 } }

    /// The same memory relabeled with `wanted` as its order, if that moves no data.
    func relabeled(_ wanted: [Int]) -> LaidOutTensor? {
        guard gather == nil, wanted.count == dims.count,
              Self.significant(order, dims) == Self.significant(wanted, dims) else { return nil }
        var t = self
        t.order = wanted
        return t
    }

    /// Memory shape, batch excluded: the dims in memory order without axis 0.
    var memoryShape: [Int] { order.filter { $0 != 0 }.map { dims[$0] } }

    /// NCHW semantics stored NHWC: the order a convolution or pool reads.
    static let channelsLast = [0, 2, 3, 1]

    /// Transposes: `perm[k]` is the source axis that becomes axis k.
    func transposed(_ perm: [Int]) -> LaidOutTensor? {
        guard gather == nil, perm.count == dims.count, Set(perm) == Set(0..<dims.count) else { return nil }
        var newIndex = [Int](repeating: 0, count: perm.count)
        for (k, p) in perm.enumerated() { newIndex[p] = k }
        var t = self
        t.dims = perm.map { dims[$0] }
        t.order = order.map { newIndex[$0] }
        return t
    }

    /// What a reshape to `newDims` needs: a relabel (`.free`), a channel shuffle of the innermost
    /// axis first (two axes that merge stored in swapped order, ShuffleNet's Reshape–Transpose–
    /// Reshape), or data movement the graph has no op for (nil).
    enum ReshapePlan { case free(LaidOutTensor), shuffleThenFree(groups: Int, channels: Int, LaidOutTensor) }

    func reshaped(_ newDims: [Int]) -> ReshapePlan? {
        guard gather == nil, newDims.reduce(1, *) == dims.reduce(1, *) else { return nil }
        let a = (0..<dims.count).filter { dims[$0] != 1 }, b = (0..<newDims.count).filter { newDims[$0] != 1 }
        // Group consecutive non-1 axes of both shapes whose products match.
        var groups: [([Int], [Int])] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            var ga: [Int] = [], gb: [Int] = []
            var pa = 1, pb = 1
            repeat {
                if pa <= pb, i < a.count { pa *= dims[a[i]]; ga.append(a[i]); i += 1 }
                else if j < b.count { pb *= newDims[b[j]]; gb.append(b[j]); j += 1 }
                else { return nil }
            } while pa != pb || ga.isEmpty || gb.isEmpty
            groups.append((ga, gb))
        }
        let memory = Self.significant(order, dims)
        var shuffle: (groups: Int, channels: Int)? = nil
        var newMemory: [Int] = []
        var at = 0
        while at < memory.count {
            guard let g = groups.first(where: { $0.0.contains(memory[at]) }) else { return nil }
            let run = Array(memory[at..<min(at + g.0.count, memory.count)])
            if run != g.0 {
                // The shuffle case: two axes, swapped, innermost in memory.
                guard g.0.count == 2, run == [g.0[1], g.0[0]], at + 2 == memory.count, shuffle == nil else { return nil }
                shuffle = (dims[g.0[1]], dims[g.0[0]] * dims[g.0[1]])
            }
            newMemory += g.1
            at += g.0.count
        }
        var t = self
        t.dims = newDims
        t.order = (0..<newDims.count).filter { newDims[$0] == 1 } + newMemory
        if let shuffle { return .shuffleThenFree(groups: shuffle.groups, channels: shuffle.channels, t) }
        return .free(t)
    }
}
