/// One activation buffer to place: its size and the ops during which it must hold its value
/// (`firstUse` is the op that writes it, `lastUse` the last op that reads it, both inclusive).
public struct ArenaBuffer: Hashable, Sendable {
    public var size: Int
    public var firstUse: Int
    public var lastUse: Int

    public init(size: Int, firstUse: Int, lastUse: Int) {
        self.size = size
        self.firstUse = firstUse
        self.lastUse = lastUse
    }

    public func overlapsInTime(_ other: ArenaBuffer) -> Bool { firstUse <= other.lastUse && other.firstUse <= lastUse }
}

/// Where each buffer goes in the arena, the arena's size, and the lower bound no placement can
/// beat: the largest total size of buffers alive at the same op.
public struct ArenaPlan: Hashable, Sendable {
    public var offsets: [Int]
    public var peak: Int
    public var lowerBound: Int
    /// Which placement order won (for reports): "size", "first use", "lifetime" or "area".
    public var strategy: String
}

/// A buffer that may overlap another one alive at the same time: `later` may start no sooner
/// than `gap` bytes after `earlier` (`offset(later) − offset(earlier) ≥ gap`) and overlap it, as a
/// convolution run row by row writes its output (`earlier`) over its dying input (`later`).
public struct ArenaOverlap: Hashable, Sendable {
    public var earlier: Int
    public var later: Int
    public var gap: Int

    public init(earlier: Int, later: Int, gap: Int) {
        (self.earlier, self.later, self.gap) = (earlier, later, gap)
    }
}

/// Places buffers by offline first-fit in several orders and keeps the smallest arena, then
/// takes overlaps one at a time where they lower the peak.
///
/// Each order places buffers one by one at the lowest `alignment`-aligned offset where it
/// overlaps no already-placed buffer alive at the same time, except as the overlaps taken allow
/// (a pair at no less than its gap, or apart). Ordering by size (largest first) is TensorFlow
/// Lite Micro's greedy-by-size planner, so the result is never worse than it; the other orders
/// (by first use, by lifetime length, by size × lifetime) win on some graphs. Overlaps are taken
/// greedily: among those of the ops where the buffers reaching the peak are alive, the one whose
/// plan has the lowest peak, until none lowers it (taking every overlap at once would stack a
/// chain of them: each input `gap` above its output, the whole chain in one growing span).
/// Example: three 100-byte buffers alive during ops [0, 1], [1, 2], [2, 3] need 224 bytes (two
/// of them aligned to 112): the first and third share offset 0. Two 100-byte buffers alive
/// during ops [0, 1] and [1, 2], the second allowed over the first at a gap of 32, need 144: the
/// second at 0, the first at 32 (224 apart).
public func planArena(_ buffers: [ArenaBuffer], overlaps: [ArenaOverlap] = [], alignment: Int = 16) -> ArenaPlan {
    func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
    var plan = firstFit(buffers, overlaps: [], aligned: aligned)
    var remaining = overlaps, taken: [ArenaOverlap] = []
    while !remaining.isEmpty {
        let atPeak = buffers.indices.filter { plan.offsets[$0] + aligned(buffers[$0].size) == plan.peak }
        let candidates = remaining.indices.filter { k in
            let op = buffers[remaining[k].earlier].firstUse
            return atPeak.contains { buffers[$0].firstUse <= op && op <= buffers[$0].lastUse }
        }
        var better: (plan: ArenaPlan, k: Int)?
        for k in candidates {
            let p = firstFit(buffers, overlaps: taken + [remaining[k]], aligned: aligned)
            if p.peak < (better?.plan.peak ?? plan.peak) { better = (p, k) }
        }
        guard let better else { break }
        plan = better.plan
        taken.append(remaining.remove(at: better.k))
    }
    // The largest live set at any op, where buffers joined by live overlaps count as the span they
    // need at least: one pair `min(a + b, max(a, gap + b))` (apart, or overlapping at its gap), a
    // longer chain (overlaps sharing a buffer, which no program's ops make) its largest buffer.
    let lastOp = buffers.map(\.lastUse).max() ?? 0
    plan.lowerBound = (0...max(lastOp, 0)).map { op in
        let live = buffers.indices.filter { buffers[$0].firstUse <= op && op <= buffers[$0].lastUse }
        let pairs = overlaps.filter { live.contains($0.earlier) && live.contains($0.later) }
        var total = live.reduce(0) { $0 + aligned(buffers[$1].size) }
        var group = Array(buffers.indices)
        func root(_ b: Int) -> Int { group[b] == b ? b : root(group[b]) }
        for o in pairs { group[root(o.later)] = root(o.earlier) }
        for r in Set(pairs.map { root($0.earlier) }) {
            let joined = pairs.filter { root($0.earlier) == r }
            let sizes = Set(joined.flatMap { [$0.earlier, $0.later] }).map { aligned(buffers[$0].size) }
            let (a, b, gap) = (aligned(buffers[joined[0].earlier].size), aligned(buffers[joined[0].later].size), joined[0].gap)
            total -= sizes.reduce(0, +) - (joined.count == 1 ? min(a + b, max(a, gap + b)) : sizes.max()!)
        }
        return total
    }.max() ?? 0
    return plan
}

/// The smallest first-fit placement over the orders, with `overlaps` allowed.
func firstFit(_ buffers: [ArenaBuffer], overlaps: [ArenaOverlap], aligned: (Int) -> Int) -> ArenaPlan {
    let orders: [(String, (Int, Int) -> Bool)] = [
        ("size", { buffers[$0].size != buffers[$1].size ? buffers[$0].size > buffers[$1].size : buffers[$0].firstUse < buffers[$1].firstUse }),
        ("first use", { buffers[$0].firstUse != buffers[$1].firstUse ? buffers[$0].firstUse < buffers[$1].firstUse : buffers[$0].size > buffers[$1].size }),
        ("lifetime", {
            let a = buffers[$0].lastUse - buffers[$0].firstUse, b = buffers[$1].lastUse - buffers[$1].firstUse
            return a != b ? a > b : buffers[$0].size > buffers[$1].size
        }),
        ("area", {
            let a = buffers[$0].size * (buffers[$0].lastUse - buffers[$0].firstUse + 1)
            let b = buffers[$1].size * (buffers[$1].lastUse - buffers[$1].firstUse + 1)
            return a != b ? a > b : $0 < $1
        }),
    ]
    // For each buffer, the partners it may overlap, their gap, and whether this one is the earlier.
    var partners = [[(other: Int, gap: Int, earlier: Bool)]](repeating: [], count: buffers.count)
    for o in overlaps {
        partners[o.earlier].append((o.later, o.gap, true))
        partners[o.later].append((o.earlier, o.gap, false))
    }
    var best: ArenaPlan?
    // With overlaps, each order also a second time keeping room below a buffer whose overlapping
    // output is not placed yet (so that the output can still go `gap` below it).
    for (name, before) in orders + (overlaps.isEmpty ? [] : orders.map { ("\($0.0), room below", $0.1) }) {
        let keepsRoom = name.hasSuffix("room below")
        var offsets = [Int](repeating: 0, count: buffers.count)
        var placed = [Bool](repeating: false, count: buffers.count), placedList: [Int] = []
        for i in buffers.indices.sorted(by: before) {
            let size = aligned(buffers[i].size)
            let alive = placedList.filter { buffers[$0].overlapsInTime(buffers[i]) }
            /// Whether `i` may start at `at`: apart from every placed buffer alive with it, or over
            /// a partner at no less than their gap.
            func fits(_ at: Int) -> Bool {
                alive.allSatisfy { j in
                    let apart = at + size <= offsets[j] || offsets[j] + aligned(buffers[j].size) <= at
                    return apart || partners[i].contains { $0.other == j && ($0.earlier ? offsets[j] - at : at - offsets[j]) >= $0.gap }
                }
            }
            // The lowest fitting offset is 0, a placed buffer's end, or a partner's offset less (plus) the gap.
            var candidates = [0] + alive.map { offsets[$0] + aligned(buffers[$0].size) }
            for (j, gap, earlier) in partners[i] where placed[j] && (!earlier || offsets[j] >= gap) {
                candidates.append(earlier ? offsets[j] - gap : offsets[j] + gap)
            }
            let room = keepsRoom ? partners[i].filter { !$0.earlier && !placed[$0.other] }.map(\.gap).max() ?? 0 : 0
            if room > 0 { candidates = candidates.map { $0 + room } }
            offsets[i] = candidates.sorted().first(where: fits) ?? 0
            placed[i] = true
            placedList.append(i)
        }
        let peak = buffers.indices.map { offsets[$0] + aligned(buffers[$0].size) }.max() ?? 0
        if best == nil || peak < best!.peak { best = ArenaPlan(offsets: offsets, peak: peak, lowerBound: 0, strategy: name) }
    }
    return best ?? ArenaPlan(offsets: [], peak: 0, lowerBound: 0, strategy: "size")
}
