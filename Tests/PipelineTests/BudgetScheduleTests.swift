import Foundation
import Pipeline
import StreamConfig
import Synchronization
import Testing

@Suite("budget schedules: fleet-wide slots from the desired state")
struct BudgetScheduleTests {
    static func members(_ count: Int, pollEvery seconds: Double = 1, weight: Double = 2) -> [BudgetMember] {
        (0..<count).map { BudgetMember(sourceID: "s\($0)", weight: weight, demandPerSecond: 1 / seconds) }
    }

    /// Requests in every window of `interval` over `cycles` cycles, when each member sends at the
    /// start of every slot it owns.
    static func maxPerWindow(_ schedule: BudgetSchedule, members: [String], cycles: Int = 3) -> Int {
        var starts: [Double] = []
        for id in members {
            var slot = schedule.nextSlot(of: id, from: 0)!
            while slot < Int64(schedule.period * cycles) {
                starts.append(schedule.start(of: slot))
                slot = schedule.nextSlot(of: id, from: slot + 1)!
            }
        }
        starts.sort()
        var worst = 0, low = 0
        for (high, t) in starts.enumerated() {
            while starts[low] <= t - schedule.budget.intervalSeconds + 1e-9 { low += 1 }
            worst = max(worst, high - low + 1)
        }
        return worst
    }

    @Test("equal sources get equal shares when the requests do not divide evenly: 30 for 12 is 2.5 each")
    func evenSplit() {
        let schedule = BudgetSchedule(budget: BudgetConfig(requests: 30, intervalSeconds: 10), members: Self.members(12))
        #expect((0..<12).allSatisfy { schedule.share(of: "s\($0)") == 2.5 })
        #expect(Self.maxPerWindow(schedule, members: (0..<12).map { "s\($0)" }) <= 30)
    }

    @Test("the largest budget with 10,000 sources: one table, built once for a burst of 1,000 member changes")
    func largest() throws {
        let members = Self.members(10_000)
        let board = BudgetBoard()
        let budget = BudgetConfig(requests: SettingBounds.budgetRequests.intRange.upperBound, intervalSeconds: 1)
        let began = ContinuousClock.now
        for i in 0..<1_000 {  // a source changes 1,000 times, as an apply of 1,000 sources would
            var list = members
            list[i].demandPerSecond = 2
            board.update(budgets: ["big": budget], members: ["big": list])
        }
        let view = try #require(board.view(of: "s9999"))
        let elapsed = ContinuousClock.now - began
        #expect(view.share >= 9 && view.share <= 10, "\(view.share)")
        #expect(elapsed < .seconds(20), "1,000 changes of a 100,000-request budget took \(elapsed)")
        let schedule = BudgetSchedule(budget: budget, members: members)
        #expect(schedule.period == 100_000 && schedule.slots.values.reduce(0, +) == 100_000)
    }

    @Test("12 equal sources in 60 per 10 s: 5 slots each, one owner per slot, at most 60 in any 10 s")
    func equalShares() {
        let schedule = BudgetSchedule(budget: BudgetConfig(requests: 60, intervalSeconds: 10), members: Self.members(12))
        #expect(schedule.period == 60 && schedule.cycles == 1)
        #expect(Set(schedule.slots.values) == [5])
        #expect(schedule.share(of: "s3") == 5)
        var owners: [Int64: String] = [:]
        for m in 0..<12 {
            var slot = schedule.nextSlot(of: "s\(m)", from: 0)!
            while slot < 60 {
                #expect(owners[slot] == nil, "slot \(slot) has two owners")
                owners[slot] = "s\(m)"
                slot = schedule.nextSlot(of: "s\(m)", from: slot + 1)!
            }
        }
        #expect(owners.count == 60)
        #expect(Self.maxPerWindow(schedule, members: (0..<12).map { "s\($0)" }) <= 60)
        // Spread evenly: a source's slots are 12 apart (2 s), not bunched.
        let first = schedule.nextSlot(of: "s0", from: 0)!
        #expect(schedule.nextSlot(of: "s0", from: first + 1)! - first == 12)
    }

    @Test("a slow poller keeps its turn: it gets what it needs, the fast ones split the rest by weight")
    func needAndWeight() {
        let members = [BudgetMember(sourceID: "slow", weight: 1, demandPerSecond: 1.0 / 600),
                       BudgetMember(sourceID: "fast", weight: 2, demandPerSecond: 10),
                       BudgetMember(sourceID: "critical", weight: 4, demandPerSecond: 10)]
        let schedule = BudgetSchedule(budget: BudgetConfig(requests: 60, intervalSeconds: 10), members: members)
        #expect(schedule.slots["slow"] == 1, "one request per cycle covers a 10-minute poller")
        let fast = schedule.share(of: "fast")!, critical = schedule.share(of: "critical")!
        #expect(abs(critical - 2 * fast) <= 1, "critical (weight 4) gets twice normal (weight 2): \(critical) vs \(fast)")
        #expect(schedule.slots.values.reduce(0, +) == schedule.period)
        #expect(Self.maxPerWindow(schedule, members: ["slow", "fast", "critical"]) <= 60)
    }

    @Test("more sources than requests: the cycle spans intervals, every source gets a slot, the bound holds")
    func moreSourcesThanRequests() {
        let schedule = BudgetSchedule(budget: BudgetConfig(requests: 5, intervalSeconds: 10), members: Self.members(12))
        #expect(schedule.cycles >= 3 && schedule.period == 5 * schedule.cycles)
        #expect(Set(schedule.slots.values).count == 1 && schedule.slots.values.allSatisfy { $0 >= 1 }, "equal sources, equal shares")
        #expect(abs(schedule.share(of: "s0")! - 5.0 / 12) < 1e-9)
        #expect(Self.maxPerWindow(schedule, members: (0..<12).map { "s\($0)" }, cycles: 2) <= 5)
    }

    @Test("needs below the budget: the spare slots are spread, still one owner per slot")
    func spare() {
        let schedule = BudgetSchedule(budget: BudgetConfig(requests: 100, intervalSeconds: 10),
                                      members: Self.members(3, pollEvery: 5))
        #expect(schedule.slots.values.reduce(0, +) == schedule.period)
        #expect(Set(schedule.slots.values).count == 1)
        #expect(Self.maxPerWindow(schedule, members: ["s0", "s1", "s2"]) <= 100)
    }
}

@Suite("budget board: waiting for slots, pauses and hand-overs")
struct BudgetBoardTests {
    /// A wall clock the test moves (and a list of times sent, for the real-time test).
    final class FakeWall: Sendable {
        let now = Mutex(1_000_000.0)
        let sent = Mutex<[Double]>([])
        func read() -> Double { now.withLock { $0 } }
    }

    static func board(requests: Int = 60, interval: Double = 10, members: Int = 12, wall: FakeWall) -> BudgetBoard {
        let board = BudgetBoard(wallNow: { wall.read() })
        let budget = BudgetConfig(requests: requests, intervalSeconds: interval)
        board.update(budgets: ["api": budget], members: ["api": BudgetScheduleTests.members(members)])
        return board
    }

    @Test("a source outside any budget never waits; one inside waits for a slot that begins after its start")
    func firstSlot() async throws {
        let wall = FakeWall()
        let board = Self.board(wall: wall)
        #expect(board.budget(of: "other") == nil)
        try await board.acquire(sourceID: "other")
        board.started(sourceID: "s0")
        let view = try #require(board.view(of: "s0"))
        #expect(view.name == "api" && view.share == 5 && view.intervalSeconds == 10)
        let next = try #require(view.nextFetchAt).timeIntervalSince1970
        #expect(next > wall.read() && next <= wall.read() + 2.01, "its first slot is within its 2-s spacing")
    }

    @Test("a 429 with Retry-After pauses every source of the budget until then, and is published once")
    func pause() {
        let wall = FakeWall()
        let board = Self.board(wall: wall)
        let published = Mutex<[BudgetPause]>([])
        board.onPause { p in published.withLock { $0.append(p) } }
        board.throttled(sourceID: "s1", status: 429, retryAfter: .seconds(5))
        #expect(published.withLock { $0.count } == 1)
        for id in ["s0", "s7", "s11"] {
            let view = board.view(of: id)
            #expect(view?.pausedUntil?.timeIntervalSince1970 == wall.read() + 5)
            #expect(view?.pauseReason?.contains("429") == true && view?.pauseReason?.contains("Retry-After 5 s") == true)
            #expect((view?.nextFetchAt?.timeIntervalSince1970 ?? 0) >= wall.read() + 5)
        }
        // Without Retry-After: 1 s, then 2 s while throttled answers repeat; a success resets it.
        wall.now.withLock { $0 += 6 }
        board.throttled(sourceID: "s1", status: 503, retryAfter: nil)
        #expect(board.view(of: "s2")?.pausedUntil?.timeIntervalSince1970 == wall.read() + 1)
        wall.now.withLock { $0 += 2 }
        board.throttled(sourceID: "s1", status: 503, retryAfter: nil)
        #expect(board.view(of: "s2")?.pausedUntil?.timeIntervalSince1970 == wall.read() + 2)
        wall.now.withLock { $0 += 3 }
        #expect(board.view(of: "s2")?.pausedUntil == nil, "the pause clears by itself")
        board.succeeded(sourceID: "s1")
        board.throttled(sourceID: "s1", status: 503, retryAfter: nil)
        #expect(board.view(of: "s2")?.pausedUntil?.timeIntervalSince1970 == wall.read() + 1)
    }

    @Test("a pause from another replica holds this one's sources; an earlier one does not shorten it")
    func remotePause() {
        let wall = FakeWall()
        let board = Self.board(wall: wall)
        board.apply(BudgetPause(budget: "api", until: Date(timeIntervalSince1970: wall.read() + 8), reason: "HTTP 429 elsewhere"))
        board.apply(BudgetPause(budget: "api", until: Date(timeIntervalSince1970: wall.read() + 3), reason: "older"))
        #expect(board.view(of: "s4")?.pausedUntil?.timeIntervalSince1970 == wall.read() + 8)
        #expect(board.view(of: "s4")?.pauseReason == "HTTP 429 elsewhere")
        #expect(board.hold(of: "s4") >= .seconds(9), "stall detection allows for the pause and the spacing")
        // A record claiming a pause of a year (a broken or hostile writer) holds for an hour at most.
        board.apply(BudgetPause(budget: "api", until: Date(timeIntervalSince1970: wall.read() + 31_536_000), reason: "forever"))
        #expect(board.view(of: "s4")?.pausedUntil?.timeIntervalSince1970 == wall.read() + BudgetBoard.maxPause)
        board.throttled(sourceID: "s4", status: 429, retryAfter: .seconds(86_400 * 30))
        #expect(board.view(of: "s4")?.pausedUntil?.timeIntervalSince1970 == wall.read() + BudgetBoard.maxPause)
    }

    @Test("a budget changed in place takes effect on the next slot: shares follow, no new board")
    func change() {
        let wall = FakeWall()
        let board = Self.board(wall: wall)
        board.update(budgets: ["api": BudgetConfig(requests: 30, intervalSeconds: 10)],
                     members: ["api": BudgetScheduleTests.members(12)])
        #expect(board.view(of: "s0")?.share == 2.5)
        board.update(budgets: [:], members: [:])
        #expect(board.view(of: "s0") == nil && board.budget(of: "s0") == nil)
    }

    @Test("real time: 4 sources of 20 per 2 s send at their slots, at most the budget in any window")
    func realTime() async throws {
        let board = BudgetBoard()
        board.update(budgets: ["api": BudgetConfig(requests: 20, intervalSeconds: 2)],
                     members: ["api": BudgetScheduleTests.members(4, pollEvery: 0.01)])
        let times = FakeWall()  // a locked list of request times here
        times.sent.withLock { $0 = [] }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<4 {
                group.addTask {
                    board.started(sourceID: "s\(i)")
                    let end = Date().timeIntervalSince1970 + 4.2
                    while Date().timeIntervalSince1970 < end {
                        try await board.acquire(sourceID: "s\(i)")
                        times.sent.withLock { $0.append(Date().timeIntervalSince1970) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let sorted = times.sent.withLock { $0 }.sorted()
        var worst = 0, low = 0
        for (high, t) in sorted.enumerated() {
            while sorted[low] <= t - 2 { low += 1 }
            worst = max(worst, high - low + 1)
        }
        #expect(worst <= 21, "at most 20 (+1 for timer jitter at a window's edge) in any 2 s; got \(worst)")
        #expect(sorted.count >= 36, "the sources used their slots: \(sorted.count) requests in 4.2 s")
    }
}
