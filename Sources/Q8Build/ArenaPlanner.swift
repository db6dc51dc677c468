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

/// A buffer that may overlap another one alive at the same time: `upper` may start no sooner
/// than `gap` bytes after `lower` (`offset(upper) − offset(lower) ≥ gap`) and overlap it, as a
/// convolution run row by row writes its output over its dying input (from below, first row to
/// last, or from above, last row to first: `Conv2DOp.rowByRowGap`).
public struct ArenaOverlap: Hashable, Sendable {
    public var lower: Int
    public var upper: Int
    public var gap: Int

    public init(lower: Int, upper: Int, gap: Int) {
        (self.lower, self.upper, self.gap) = (lower, upper, gap)
    }
}

/// Places buffers by offline first-fit in several orders and keeps the smallest arena, then
/// takes overlaps one at a time where they lower the peak.
///
/// Each order places buffers one by one at the lowest `alignment`-aligned offset where it
/// overlaps no already-placed buffer alive at the same time; the buffers joined by the overlaps
/// taken go as one unit, at their gaps. Ordering by size (largest first) is TensorFlow
/// Lite Micro's greedy-by-size planner, so the result is never worse than it; the other orders
/// (by first use, by lifetime length, by size × lifetime) win on some graphs. Overlaps are taken
/// greedily: among those of the ops where the buffers reaching the peak are alive, the one whose
/// plan has the lowest peak (ties: the fewest ops reaching it, so two ops at one peak are lowered
/// one after the other), until none lowers them (taking every
/// overlap at once would stack a chain of them in one growing span). Where an op offers two
/// overlaps (a convolution's output below or above its input), a plan takes at most one. Then
/// each overlap taken is widened to the largest of its `widenings` (gaps of the same pair that
/// allow more rows per kernel call) that keeps the peak.
/// Example: three 100-byte buffers alive during ops [0, 1], [1, 2], [2, 3] need 224 bytes (two
/// of them aligned to 112): the first and third share offset 0. Two 100-byte buffers alive
/// during ops [0, 1] and [1, 2], the second allowed over the first at a gap of 32, need 144: the
/// second at 0, the first at 32 (224 apart).
public func planArena(_ buffers: [ArenaBuffer], overlaps: [ArenaOverlap] = [], widenings: [ArenaOverlap: [Int]] = [:],
                      alignment: Int = 16) -> ArenaPlan {
    func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
    let lastOp = buffers.map(\.lastUse).max() ?? 0
    var plan = firstFit(buffers, overlaps: [], aligned: aligned)
    var remaining = overlaps, taken: [ArenaOverlap] = []
    while !remaining.isEmpty {
        let atPeak = buffers.indices.filter { plan.offsets[$0] + aligned(buffers[$0].size) == plan.peak }
        let candidates = remaining.indices.filter { k in
            let op = max(buffers[remaining[k].lower].firstUse, buffers[remaining[k].upper].firstUse)  // where one dies, the other is born
            return atPeak.contains { buffers[$0].firstUse <= op && op <= buffers[$0].lastUse }
        }
        var better: (plan: ArenaPlan, score: [Int], k: Int)?
        for k in candidates {
            let p = firstFit(buffers, overlaps: taken + [remaining[k]], aligned: aligned)
            if p.offsets.isEmpty { continue }  // refused: the unit's own members would collide
            let score = peakScore(p, buffers, alignment: alignment)
            if score.lexicographicallyPrecedes(better?.score ?? peakScore(plan, buffers, alignment: alignment)) { better = (p, score, k) }
        }
        guard let better else { break }
        plan = better.plan
        taken.append(remaining.remove(at: better.k))
    }
    // Each overlap taken at the widest of its `widenings` (larger gaps: an op run in place then
    // runs more rows per kernel call) that keeps the peak.
    for k in taken.indices {
        for gap in (widenings[taken[k]] ?? []).reversed() where gap > taken[k].gap {
            var wider = taken
            wider[k].gap = gap
            let p = firstFit(buffers, overlaps: wider, aligned: aligned)
            if !p.offsets.isEmpty && p.peak <= plan.peak {
                (plan, taken) = (p, wider)
                break
            }
        }
    }
    // The largest live set at any op, where buffers joined by live overlaps count as the span they
    // need at least: two buffers the least over their overlaps of `min(a + b, max(a, gap + b))`
    // (apart, or the upper one of size b at its gap above the lower of size a), more (a chain,
    // which no program's ops make live at once) their largest buffer.
    plan.lowerBound = (0...max(lastOp, 0)).map { op in
        let live = buffers.indices.filter { buffers[$0].firstUse <= op && op <= buffers[$0].lastUse }
        let pairs = overlaps.filter { live.contains($0.lower) && live.contains($0.upper) }
        var total = live.reduce(0) { $0 + aligned(buffers[$1].size) }
        var group = Array(buffers.indices)
        func root(_ b: Int) -> Int { group[b] == b ? b : root(group[b]) }
        for o in pairs { group[root(o.upper)] = root(o.lower) }
        for r in Set(pairs.map { root($0.lower) }) {
            let joined = pairs.filter { root($0.lower) == r }
            let sizes = Set(joined.flatMap { [$0.lower, $0.upper] }).map { aligned(buffers[$0].size) }
            let span = sizes.count == 2
                ? joined.map { o in min(sizes.reduce(0, +), max(aligned(buffers[o.lower].size), o.gap + aligned(buffers[o.upper].size))) }.min()!
                : sizes.max()!
            total -= sizes.reduce(0, +) - span
        }
        return total
    }.max() ?? 0
    return plan
}

/// A plan's peak, then how many ops reach it (the highest end of a buffer alive there), to
/// compare plans lexicographically: an overlap or row stream that lowers one of two ops at the
/// peak is taken (the other is then the next one's to lower), one that lowers no op at the peak
/// is not (an op run in place or streamed runs on one thread).
func peakScore(_ p: ArenaPlan, _ buffers: [ArenaBuffer], alignment: Int) -> [Int] {
    func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
    let lastOp = buffers.map(\.lastUse).max() ?? 0
    let atPeak = (0...max(lastOp, 0)).filter { op in
        buffers.indices.contains { buffers[$0].firstUse <= op && op <= buffers[$0].lastUse && p.offsets[$0] + aligned(buffers[$0].size) == p.peak }
    }
    return [p.peak, atPeak.count]
}

/// The smallest first-fit placement over the orders, with `overlaps` taken: the buffers an
/// overlap joins (a pair, or a chain through shared buffers) are placed as one unit, each
/// `upper` exactly `gap` above its `lower`, at the lowest offset where every member lies apart
/// from the placed buffers alive with it. A unit whose own members would collide is refused (no
/// offsets).
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
    // Units: each buffer's members and their offsets relative to the unit's lowest one.
    var unitOf = Array(buffers.indices), relative = [Int](repeating: 0, count: buffers.count)
    var members = buffers.indices.map { [$0] }
    for o in overlaps {
        let (a, b) = (unitOf[o.lower], unitOf[o.upper])
        guard a != b else { return ArenaPlan(offsets: [], peak: .max, lowerBound: 0, strategy: "refused") }
        let shift = relative[o.lower] + o.gap - relative[o.upper]  // move unit b so that upper = lower + gap
        for m in members[b] { relative[m] += shift; unitOf[m] = a }
        members[a] += members[b]
        members[b] = []
        let low = members[a].map { relative[$0] }.min()!
        for m in members[a] { relative[m] -= low }
    }
    let partners = Set(overlaps.flatMap { [[$0.lower, $0.upper], [$0.upper, $0.lower]] })
    for unit in members where unit.count > 1 {
        for a in unit {
            for b in unit where a < b && buffers[a].overlapsInTime(buffers[b]) && !partners.contains([a, b]) {
                let apart = relative[a] + aligned(buffers[a].size) <= relative[b] || relative[b] + aligned(buffers[b].size) <= relative[a]
                if !apart { return ArenaPlan(offsets: [], peak: .max, lowerBound: 0, strategy: "refused") }
            }
        }
    }
    var best: ArenaPlan?
    for (name, before) in orders {
        var offsets = [Int](repeating: 0, count: buffers.count)
        var placed = [Bool](repeating: false, count: buffers.count), placedList: [Int] = []
        for first in buffers.indices.sorted(by: before) where !placed[first] {
            let unit = members[unitOf[first]]
            let alive = unit.map { m in placedList.filter { buffers[$0].overlapsInTime(buffers[m]) } }
            /// Whether the unit may start at `base`: every member apart from every placed buffer alive with it.
            func fits(_ base: Int) -> Bool {
                zip(unit, alive).allSatisfy { m, alive in
                    let at = base + relative[m], size = aligned(buffers[m].size)
                    return alive.allSatisfy { j in at + size <= offsets[j] || offsets[j] + aligned(buffers[j].size) <= at }
                }
            }
            // The lowest fitting base is 0 or puts some member just above a placed buffer alive with it.
            var candidates = [0]
            for (m, alive) in zip(unit, alive) {
                for j in alive where offsets[j] + aligned(buffers[j].size) >= relative[m] {
                    candidates.append(offsets[j] + aligned(buffers[j].size) - relative[m])
                }
            }
            let base = candidates.sorted().first(where: fits) ?? 0
            for m in unit {
                offsets[m] = base + relative[m]
                placed[m] = true
                placedList.append(m)
            }
        }
        let peak = buffers.indices.map { offsets[$0] + aligned(buffers[$0].size) }.max() ?? 0
        if best == nil || peak < best!.peak { best = ArenaPlan(offsets: offsets, peak: peak, lowerBound: 0, strategy: name) }
    }
    return best ?? ArenaPlan(offsets: [], peak: 0, lowerBound: 0, strategy: "size")
}
