import Foundation
import Metrics
import StreamConfig
import Synchronization

/// One budget as a source's status shows it (the `budget` field).
public struct BudgetView: Sendable, Equatable {
    public var name: String
    /// Requests per interval this source may make.
    public var share: Double
    public var intervalSeconds: Double
    /// When its next request may go (its next slot, or the end of a pause).
    public var nextFetchAt: Date?
    public var pausedUntil: Date?
    public var pauseReason: String?
}

/// A fleet-wide pause of one budget: no replica sends a request in it before `until`.
public struct BudgetPause: Sendable, Equatable {
    public var budget: String
    public var until: Date
    public var reason: String

    public init(budget: String, until: Date, reason: String) {
        self.budget = budget
        self.until = until
        self.reason = reason
    }
}

/// The budgets as this replica enforces them: the schedules (`BudgetSchedule`, recomputed from the
/// desired state whenever a budget or one of its members changes), the pauses (set by a 429/503
/// answer here or read from another replica's status record), and this replica's use of each.
/// Every fetch of a source in a budget waits here for one of its slots (`acquire`). See
/// docs/architecture.md, "Fleet-wide API budgets".
public final class BudgetBoard: Sendable {
    private struct Entry {
        var budget: BudgetConfig
        var members: [BudgetMember]
        /// Built when first needed after a change: a burst of config changes (1,000 sources
        /// applied at once) costs one build, not one per change.
        var built: BudgetSchedule?
        var pause: BudgetPause?
        /// Throttled answers in a row without `Retry-After` (the backoff doubles from 1 s).
        var throttledInARow = 0
        /// Request times of this replica in the last interval (`remaining`).
        var recent: [Double] = []

        mutating func schedule() -> BudgetSchedule {
            if let built { return built }
            let schedule = BudgetSchedule(budget: budget, members: members)
            built = schedule
            return schedule
        }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Source id → its budget.
        var budgetOf: [String: String] = [:]
        /// The earliest slot start each source's next request may use: after the slot it last
        /// sent in, and — after a start here — after the slot under way at the start.
        var floor: [String: Double] = [:]
        /// The slot start each waiting source waits for.
        var waitingFor: [String: Double] = [:]
        var publish: (@Sendable (BudgetPause) -> Void)?
    }

    private let state = Mutex(State())
    private let wallNow: @Sendable () -> Double
    /// A request may still go this far into its slot (a fraction of the slot); later, it waits for
    /// the next one. Requests then sit near slot starts: a window of `interval` holds `requests` of
    /// them, one more only when a slot's request went later into its slot than the request one
    /// interval after it. Generous, because a busy process wakes late, and a request that always
    /// woke too late for its slot would never go.
    static let lateness = 0.75
    /// The longest pause honoured, from an answer's `Retry-After` or another replica's record: a
    /// broken server or a hostile record in the status topic cannot stop a budget for good.
    public static let maxPause: Double = 3600

    public init(wallNow: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.wallNow = wallNow
    }

    /// Where pauses set here go (the status topic, for the other replicas).
    public func onPause(_ publish: @escaping @Sendable (BudgetPause) -> Void) {
        state.withLock { $0.publish = publish }
    }

    /// The budgets and their members as the desired state has them now. Schedules whose budget
    /// and members did not change are kept; pauses of budgets that remain are kept.
    public func update(budgets: [String: BudgetConfig], members: [String: [BudgetMember]]) {
        state.withLock { s in
            var entries: [String: Entry] = [:]
            var budgetOf: [String: String] = [:]
            for (name, budget) in budgets {
                let list = members[name] ?? []
                for m in list { budgetOf[m.sourceID] = name }
                if var old = s.entries[name] {
                    if old.budget != budget || old.members != list {
                        (old.budget, old.members, old.built) = (budget, list, nil)
                    }
                    entries[name] = old
                } else {
                    entries[name] = Entry(budget: budget, members: list)
                }
                Self.gauge("stream_manager_budget_limit_requests", name).record(budget.requests)
            }
            for gone in Set(s.entries.keys).subtracting(budgets.keys) { Self.forgetMetrics(gone) }
            s.entries = entries
            s.budgetOf = budgetOf
            // Sources that left every budget (or are gone) leave nothing behind.
            s.floor = s.floor.filter { budgetOf[$0.key] != nil }
            s.waitingFor = s.waitingFor.filter { budgetOf[$0.key] != nil }
        }
    }

    /// A stream of the source starts here: its first request waits for a slot that begins after
    /// now (the source may have just run on another replica, which may have spent the slot under way).
    public func started(sourceID: String) {
        _ = state.withLock { $0.floor.removeValue(forKey: sourceID) }
    }

    /// The budget a source's fetches count against, if any.
    public func budget(of sourceID: String) -> String? { state.withLock { $0.budgetOf[sourceID] } }

    /// Waits until the source may send a request: the budget is not paused and one of its own
    /// slots has begun. Returns at once for a source in no budget.
    /// - Throws: `CancellationError` when cancelled while waiting.
    public func acquire(sourceID: String) async throws {
        while true {
            let now = wallNow()
            let wait = state.withLock { s -> Double? in
                guard let name = s.budgetOf[sourceID], let pause = s.entries[name].map({ $0.pause }) else {
                    s.waitingFor[sourceID] = nil
                    return nil
                }
                if let pause, pause.until.timeIntervalSince1970 > now {
                    s.waitingFor[sourceID] = pause.until.timeIntervalSince1970
                    return pause.until.timeIntervalSince1970 - now
                }
                let schedule = s.entries[name]!.schedule()
                let floor = s.floor[sourceID] ?? Self.startFloor(schedule, now: now)
                s.floor[sourceID] = floor
                guard let slot = Self.candidate(schedule, sourceID: sourceID, now: now, floor: floor) else { return nil }
                let start = schedule.start(of: slot)
                if start <= now {
                    s.floor[sourceID] = start + schedule.slotLength / 2
                    s.waitingFor[sourceID] = nil
                    s.entries[name]!.recent.append(now)
                    Self.trim(&s.entries[name]!, now: now)
                    Self.counter(name).increment()
                    return nil
                }
                s.waitingFor[sourceID] = start
                return start - now
            }
            guard let wait else { return }
            try await Task.sleep(for: .milliseconds(max(1, Int((wait * 1000).rounded(.up)))))
        }
    }

    /// The slot the source's next request would use: its own slot under way (not too far in) or
    /// its next one, never one that starts before `floor`.
    static func candidate(_ schedule: BudgetSchedule, sourceID: String, now: Double, floor: Double) -> Int64? {
        let current = schedule.slot(at: now)
        let first = max(current, Int64((floor / schedule.slotLength - 1e-9).rounded(.up)))
        guard let slot = schedule.nextSlot(of: sourceID, from: first) else { return nil }
        if slot == current && now - schedule.start(of: slot) > schedule.slotLength * lateness {
            return schedule.nextSlot(of: sourceID, from: current + 1)
        }
        return slot
    }

    /// A source that starts here (or was handed over from another replica, which may have spent
    /// the slot under way on it) waits for a slot that begins after now.
    static func startFloor(_ schedule: BudgetSchedule, now: Double) -> Double {
        schedule.start(of: schedule.slot(at: now) + 1)
    }

    /// A request of the source was answered 429 or 503: the whole budget pauses until
    /// `retryAfter` from now, or — without it — for a backoff doubling from 1 s (to 5 min) while
    /// such answers repeat. The pause is published for the other replicas.
    public func throttled(sourceID: String, status: Int, retryAfter: Duration?) {
        let now = wallNow()
        let pause = state.withLock { s -> BudgetPause? in
            guard let name = s.budgetOf[sourceID], var entry = s.entries[name] else { return nil }
            let seconds: Double
            if let retryAfter {
                seconds = min(Self.maxPause, max(0, Double(retryAfter.components.seconds) + Double(retryAfter.components.attoseconds) / 1e18))
            } else {
                seconds = min(300, pow(2, Double(min(entry.throttledInARow, 16))))
                entry.throttledInARow += 1
            }
            let until = Date(timeIntervalSince1970: now + seconds)
            let how = retryAfter == nil ? "backing off \(Self.format(seconds)) s" : "Retry-After \(Self.format(seconds)) s"
            let pause = BudgetPause(budget: name, until: until,
                                    reason: "HTTP \(status) for source \(sourceID) (\(how)): every source in budget \(name) waits")
            if (entry.pause?.until ?? .distantPast) < until { entry.pause = pause }
            s.entries[name] = entry
            Self.gauge("stream_manager_budget_paused", name).record(1)
            return (entry.pause == pause) ? pause : nil
        }
        if let pause, let publish = state.withLock({ $0.publish }) { publish(pause) }
    }

    /// A request of the source succeeded: the backoff without `Retry-After` starts over.
    public func succeeded(sourceID: String) {
        state.withLock { s in
            guard let name = s.budgetOf[sourceID], s.entries[name]?.throttledInARow != 0 else { return }
            s.entries[name]!.throttledInARow = 0
        }
    }

    /// A pause another replica published (or this one, read back): kept when it ends later than
    /// the one in force; at most `maxPause` from now.
    public func apply(_ pause: BudgetPause) {
        var pause = pause
        pause.until = min(pause.until, Date(timeIntervalSince1970: wallNow() + Self.maxPause))
        state.withLock { s in
            guard var entry = s.entries[pause.budget], (entry.pause?.until ?? .distantPast) < pause.until else { return }
            entry.pause = pause
            s.entries[pause.budget] = entry
        }
    }

    /// The source's budget as its status shows it, nil when it is in none.
    public func view(of sourceID: String) -> BudgetView? {
        let now = wallNow()
        return state.withLock { s in
            guard let name = s.budgetOf[sourceID], let entry = s.entries[name] else { return nil }
            let schedule = s.entries[name]!.schedule()
            let paused = entry.pause.flatMap { $0.until.timeIntervalSince1970 > now ? $0 : nil }
            let next = s.waitingFor[sourceID].flatMap { $0 > now ? $0 : nil }
                ?? paused.map(\.until.timeIntervalSince1970)
                ?? Self.candidate(schedule, sourceID: sourceID, now: now,
                                  floor: s.floor[sourceID] ?? Self.startFloor(schedule, now: now))
                    .map { schedule.start(of: $0) }
            return BudgetView(name: name, share: schedule.share(of: sourceID) ?? 0,
                              intervalSeconds: entry.budget.intervalSeconds,
                              nextFetchAt: next.map { Date(timeIntervalSince1970: $0) },
                              pausedUntil: paused?.until, pauseReason: paused?.reason)
        }
    }

    /// How long the source can go without a fetch because of its budget (its slot spacing, plus
    /// what is left of a pause): stall detection allows for it.
    public func hold(of sourceID: String) -> Duration {
        let now = wallNow()
        return state.withLock { s in
            guard let name = s.budgetOf[sourceID], let entry = s.entries[name],
                  let share = s.entries[name]!.schedule().share(of: sourceID), share > 0 else { return .zero }
            let spacing = entry.budget.intervalSeconds / share
            let pause = max(0, (entry.pause?.until.timeIntervalSince1970 ?? 0) - now)
            return .milliseconds(Int64(min((spacing + pause) * 1000, 1e12)))
        }
    }

    /// Refreshes the gauges of each budget for the sources running here: the requests per interval
    /// allotted to them, what is left of that over the last interval, and whether it is paused.
    public func recordMetrics(running: Set<String>) {
        let now = wallNow()
        state.withLock { s in
            for name in s.entries.keys {
                Self.trim(&s.entries[name]!, now: now)
                let schedule = s.entries[name]!.schedule()
                let entry = s.entries[name]!
                let allotted = entry.members.filter { running.contains($0.sourceID) }
                    .reduce(0.0) { $0 + (schedule.share(of: $1.sourceID) ?? 0) }
                Self.gauge("stream_manager_budget_allotted_requests", name).record(allotted)
                Self.gauge("stream_manager_budget_remaining_requests", name).record(max(0, allotted - Double(entry.recent.count)))
                let paused = (entry.pause?.until.timeIntervalSince1970 ?? 0) > now
                Self.gauge("stream_manager_budget_paused", name).record(paused ? 1 : 0)
            }
        }
    }

    private static func trim(_ entry: inout Entry, now: Double) {
        let horizon = now - entry.budget.intervalSeconds
        if let keep = entry.recent.firstIndex(where: { $0 > horizon }) {
            entry.recent.removeFirst(keep)
        } else {
            entry.recent.removeAll()
        }
    }

    private static func counter(_ budget: String) -> Counter {
        Counter(label: "stream_manager_budget_requests_total", dimensions: [("budget", budget)])
    }

    private static func gauge(_ label: String, _ budget: String) -> Gauge {
        Gauge(label: label, dimensions: [("budget", budget)])
    }

    private static func forgetMetrics(_ budget: String) {
        counter(budget).destroy()
        for label in ["stream_manager_budget_limit_requests", "stream_manager_budget_allotted_requests",
                      "stream_manager_budget_remaining_requests", "stream_manager_budget_paused"] {
            gauge(label, budget).destroy()
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
