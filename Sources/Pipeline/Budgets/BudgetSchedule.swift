import StreamConfig

/// How one budget's requests are shared out, fleet-wide, without the replicas talking: time is cut
/// into slots of `interval / requests` seconds counted from the Unix epoch, and every slot belongs
/// to one source. Each replica computes the same table from the same desired state (the budget and
/// its members), and a source sends a request only at the start of one of its own slots — so the
/// whole fleet sends at most `requests` in any `interval`, whichever replica runs which source.
///
/// Shares: water-filling by weight, capped by need — a source never gets more slots than its
/// polling asks for while others want more, and sources that want more split the rest by weight.
/// What nobody needs is spread by weight too (a burst of pages can use it). Each source's slots are
/// spread evenly over the cycle. With more sources than requests per interval, the cycle spans
/// several intervals so that every source still gets a slot.
public struct BudgetSchedule: Sendable, Equatable {
    public let budget: BudgetConfig
    /// Intervals per cycle (1 unless there are more members than requests per interval).
    public let cycles: Int
    /// Slots per cycle: `requests × cycles`.
    public let period: Int
    /// Seconds per slot.
    public let slotLength: Double
    /// Slots per cycle of each member.
    public let slots: [String: Int]
    /// Each member's slot positions in the cycle, ascending.
    private let positions: [String: [Int]]

    public init(budget: BudgetConfig, members: [BudgetMember]) {
        self.budget = budget
        let requests = max(1, budget.requests)
        let cycles = Self.cycles(requests: requests, members: members.count)
        self.cycles = cycles
        period = requests * cycles
        slotLength = max(budget.intervalSeconds, 0.001) / Double(requests)
        let slots = Self.allocate(period: period, cycles: cycles, interval: budget.intervalSeconds, members: members)
        self.slots = slots
        positions = Self.spread(slots, period: period)
    }

    /// Requests per interval a member may make (fractional when the cycle spans intervals).
    public func share(of sourceID: String) -> Double? {
        slots[sourceID].map { Double($0) / Double(cycles) }
    }

    /// The first slot of `sourceID` numbered `from` or later (slot n starts at n × slotLength
    /// seconds after the Unix epoch).
    public func nextSlot(of sourceID: String, from: Int64) -> Int64? {
        guard let mine = positions[sourceID], let first = mine.first else { return nil }
        let p = Int64(period)
        let cycle = from >= 0 ? from / p : (from - p + 1) / p
        let offset = Int(from - cycle * p)
        var low = 0, high = mine.count
        while low < high {
            let mid = (low + high) / 2
            if mine[mid] < offset { low = mid + 1 } else { high = mid }
        }
        return low < mine.count ? cycle * p + Int64(mine[low]) : (cycle + 1) * p + Int64(first)
    }

    public func slot(at seconds: Double) -> Int64 { Int64((seconds / slotLength).rounded(.down)) }
    public func start(of slot: Int64) -> Double { Double(slot) * slotLength }

    // MARK: allocation

    /// Intervals per cycle: enough for every member to get a slot, and — where a cycle of at most
    /// 20,000 slots allows it — a whole number of slots per member, so equal sources get equal
    /// shares (30 requests for 12 sources: 2 intervals, 5 slots each, 2.5 per interval). The cap
    /// keeps a rebuild (on every change of a budget's members) to milliseconds.
    static func cycles(requests: Int, members: Int) -> Int {
        let least = max(1, (members + requests - 1) / requests)
        guard members > 0 else { return 1 }
        for c in least...max(least, members) where requests * c <= max(20_000, requests * least) && (requests * c) % members == 0 {
            return c
        }
        return least
    }

    static func allocate(period: Int, cycles: Int, interval: Double, members: [BudgetMember]) -> [String: Int] {
        guard !members.isEmpty else { return [:] }
        // What each wants per cycle, at least one slot.
        let wants = members.map { m -> Int in
            let exact = m.demandPerSecond * interval * Double(cycles)
            return max(1, Int(min(exact, Double(period)).rounded(.up)))
        }
        var given = [Int](repeating: 0, count: members.count)
        var active = Array(members.indices)
        var remaining = period
        // Water-filling: whoever wants no more than a fair (weighted) part of what is left gets it.
        while !active.isEmpty {
            let weight = active.reduce(0) { $0 + members[$1].weight }
            let fair = Double(remaining) / weight
            let satisfied = active.filter { Double(wants[$0]) <= fair * members[$0].weight }
            if satisfied.isEmpty { break }
            for i in satisfied { given[i] = wants[i]; remaining -= wants[i] }
            active.removeAll { Double(wants[$0]) <= fair * members[$0].weight }
        }
        // The rest: split by weight among those still wanting more, or among everyone when all are served.
        let sharers = active.isEmpty ? Array(members.indices) : active
        distribute(remaining, among: sharers, weights: members.map(\.weight), into: &given)
        // Every member keeps at least one slot (the cycle has at least one per member).
        for i in members.indices where given[i] == 0 {
            if let donor = given.indices.max(by: { given[$0] < given[$1] }), given[donor] > 1 {
                given[donor] -= 1
                given[i] = 1
            }
        }
        return Dictionary(uniqueKeysWithValues: zip(members.map(\.sourceID), given))
    }

    /// Largest-remainder split of `amount` by weight.
    private static func distribute(_ amount: Int, among indices: [Int], weights: [Double], into given: inout [Int]) {
        guard amount > 0, !indices.isEmpty else { return }
        let total = indices.reduce(0) { $0 + weights[$1] }
        var handed = 0
        var remainders: [(Double, Int)] = []
        for i in indices {
            let exact = Double(amount) * weights[i] / total
            let whole = Int(exact.rounded(.down))
            given[i] += whole
            handed += whole
            remainders.append((exact - Double(whole), i))
        }
        remainders.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        for (_, i) in remainders.prefix(amount - handed) { given[i] += 1 }
    }

    /// Each member's slots at evenly spaced ideal times, interleaved with the others' (the ideal
    /// times of all members sorted, ties by id).
    static func spread(_ slots: [String: Int], period: Int) -> [String: [Int]] {
        let ids = slots.keys.sorted()
        var ideal: [(time: Double, member: Int)] = []
        ideal.reserveCapacity(period)
        for (member, id) in ids.enumerated() {
            let count = slots[id]!
            guard count > 0 else { continue }
            let step = Double(period) / Double(count)
            for k in 0..<count { ideal.append(((Double(k) + 0.5) * step, member)) }
        }
        ideal.sort { $0.time != $1.time ? $0.time < $1.time : $0.member < $1.member }
        var positions = [[Int]](repeating: [], count: ids.count)
        for (position, entry) in ideal.enumerated() { positions[entry.member].append(position) }
        return Dictionary(uniqueKeysWithValues: zip(ids, positions).filter { !$0.1.isEmpty })
    }
}
