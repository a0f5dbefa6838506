import Foundation
import TestSupport
import Testing

/// One API quota shared by a fleet: three `run` processes against a broker process, twelve
/// `http_json` sources in one budget, all polling one local API that logs every request it gets.
/// The limits are checked on that log, the provider's own view of the quota, in every window.
@Suite("fleet-wide API budgets", .serialized)
struct BudgetFleetTests {
    typealias Cluster = OperatorCommandTests.Cluster
    static let sourceIDs = (0..<12).map { "s\($0)" }

    /// Server/budget_server.py, run from the source tree: the CLITests target has no resources.
    struct API {
        struct Request { var t: Double, name: String, status: Int }
        let process: TestServerProcess
        var port: Int { process.port }

        init() throws {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Server/budget_server.py").path
            process = try TestServerProcess.startBlocking(script: script)
        }

        /// Every /feed request so far, in arrival order.
        func log() throws -> [Request] {
            guard let response = RawHTTP.request(port: port, path: "/log", timeout: 10), response.status == 200,
                  let entries = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [[String: Any]] else {
                throw TestFailure("GET /log failed: \(process.stderrText)")
            }
            return entries.compactMap { e in
                guard let t = BudgetFleetTests.number(e["t"]), let name = e["name"] as? String,
                      let status = BudgetFleetTests.number(e["status"]) else { return nil }
                return Request(t: t, name: name, status: Int(status))
            }
        }

        /// The next /feed request gets 429 with `Retry-After: seconds`.
        func throttleOnce(retryAfter seconds: Int) throws {
            guard RawHTTP.request(port: port, method: "POST", path: "/throttle-once?retry_after=\(seconds)")?.status == 200 else {
                throw TestFailure("POST /throttle-once failed: \(process.stderrText)")
            }
        }
    }

    /// `status -o json`: source records by id, and each manager heartbeat's partitions.
    struct Board {
        var sources: [String: [String: Any]] = [:]
        var partitions: [String: [Int]] = [:]

        init(_ cluster: Cluster) throws {
            let r = try cluster.cli(["status", "-o", "json"])
            guard r.status == 0, let o = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else { return }
            for s in o["sources"] as? [[String: Any]] ?? [] {
                if let id = s["source_id"] as? String { sources[id] = s }
            }
            for m in o["managers"] as? [[String: Any]] ?? [] {
                if let id = m["instance_id"] as? String { partitions[id] = m["assigned_partitions"] as? [Int] ?? [] }
            }
        }

        func instance(_ id: String) -> String? { sources[id]?["instance_id"] as? String }
        func running(_ id: String, on instances: Set<String>) -> Bool {
            sources[id]?["state"] as? String == "RUNNING" && instances.contains(instance(id) ?? "")
        }
        func budget(_ id: String) -> [String: Any]? { sources[id]?["budget"] as? [String: Any] }
        func share(_ id: String) -> Double? { BudgetFleetTests.number(budget(id)?["share"]) }

        /// Every source RUNNING on one of `instances`, whose heartbeats split the 12 config
        /// partitions with a share each: no rebalance is still under way.
        func settled(on instances: Set<String>) -> Bool {
            BudgetFleetTests.sourceIDs.allSatisfy { running($0, on: instances) }
                && instances.allSatisfy { !(partitions[$0] ?? []).isEmpty }
                && instances.flatMap { partitions[$0] ?? [] }.sorted() == Array(0..<12)
        }

        var summary: String {
            BudgetFleetTests.sourceIDs.map { "\($0): \(sources[$0]?["state"] ?? "-")@\(instance($0) ?? "-")" }.joined(separator: ", ")
                + "; partitions \(partitions)"
        }
    }

    static func sourcesYAML(port: Int, requests: Int) -> String {
        var yaml = "budgets:\n  api: {requests: \(requests), interval_seconds: 10}\nsources:\n"
        for id in sourceIDs {
            yaml += "  \(id): {source_type: http_json, topic: budget-data, budget: api, rate_limit_per_minute: 0, "
                + "timeout_seconds: 5, cache_ttl_seconds: 0, ingestion: {mode: real_time, polling_interval_seconds: 1}, "
                + "connector: {url: \"http://127.0.0.1:\(port)/feed/\(id)\"}}\n"
        }
        return yaml
    }

    /// A JSON number, whichever type JSONSerialization chose for it.
    static func number(_ value: Any?) -> Double? {
        guard let value else { return nil }
        if let d = value as? Double { return d }
        if let i = value as? Int { return Double(i) }
        return (value as? NSNumber)?.doubleValue
    }

    /// Wall-clock seconds, the clock the server logs with (`time.time()`).
    static func now() -> Double { Date().timeIntervalSince1970 }
    static func sleep(until t: Double) {
        let left = t - now()
        if left > 0 { Thread.sleep(forTimeInterval: left) }
    }
    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Requests in each window [s, s + 10) of whole seconds s lying inside [from, to), built from
    /// per-second buckets; one count per start second, in order.
    static func windows(_ times: [Double], from: Double, to: Double, length: Int = 10) -> [Int] {
        let first = Int(from.rounded(.up)), last = Int(to.rounded(.down)) - length
        guard first <= last else { return [] }
        var perSecond: [Int: Int] = [:]
        for t in times { perSecond[Int(t.rounded(.down)), default: 0] += 1 }
        return (first...last).map { s in (s..<s + length).reduce(0) { $0 + perSecond[$1, default: 0] } }
    }

    /// The longest stretch of [from, to) without a request: a source starved for a while shows
    /// up here even when its total count is fine.
    static func longestGap(_ times: [Double], from: Double, to: Double) -> Double {
        let points = [from] + times.sorted() + [to]
        return zip(points, points.dropFirst()).map { $1 - $0 }.max() ?? (to - from)
    }

    static func waitBoard(_ cluster: Cluster, timeout: TimeInterval, _ condition: (Board) -> Bool) throws -> Board {
        let deadline = now() + timeout
        var board = try Board(cluster)
        while !condition(board), now() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            board = try Board(cluster)
        }
        return board
    }

    @Test("12 sources on 3 replicas share 60 requests / 10 s: every window within 5 %, fair shares, a SIGKILLed replica's share taken over, a 429 pauses all, a new budget applies live")
    func fleetBudget() throws {
        let api = try API()
        defer { api.process.stop() }
        let cluster = try Cluster()
        let config = try OperatorCommandTests.file("manager: {session_timeout_ms: 6000, status_interval_seconds: 1}\n")
        var managers: [String: StreamManagerBinary.Child] = [:]
        for id in ["m1", "m2", "m3"] { managers[id] = try cluster.manager(id, extra: ["--config", config]) }
        // One path for both applies: the change is the same file with a new number, as a user makes it.
        let file = NSTemporaryDirectory() + "budget-\(UUID().uuidString).yaml"
        try Self.sourcesYAML(port: api.port, requests: 60).write(toFile: file, atomically: true, encoding: .utf8)
        let apply = try cluster.cli(["apply", "-f", file, "--wait", "--timeout", "90"])
        try #require(apply.status == 0, "apply: \(apply.stdout)\n\(apply.stderr)")
        let all: Set<String> = ["m1", "m2", "m3"]
        let three = try Self.waitBoard(cluster, timeout: 40) { $0.settled(on: all) }
        try #require(three.settled(on: all), "not settled on m1-m3: \(three.summary)")

        // Steady state: 60 requests per 10 s for 12 sources polling every second, i.e. 6/s, 5 per source per 10 s.
        let from = Self.now() + 10, to = from + 60  // after a warm-up: streams start at different moments
        Self.sleep(until: to + 0.2)
        let steady = try api.log().filter { $0.t >= from && $0.t < to }
        let w = Self.windows(steady.map(\.t), from: from, to: to)
        let mean = Double(w.reduce(0, +)) / Double(max(w.count, 1))
        #expect(!w.isEmpty && w.max()! <= 63, "a 10-s window over 63 requests (budget 60 + 5 %): \(w)")
        print("budget: steady 60 s: \(steady.count) requests (\(Self.f(Double(steady.count) / 60)) req/s); 10-s windows max \(w.max() ?? 0), mean \(Self.f(mean)) (budget 60, limit 63)")
        var counts: [Int] = [], gaps: [Double] = []
        for id in Self.sourceIDs {
            let times = steady.filter { $0.name == id }.map(\.t)
            let gap = Self.longestGap(times, from: from, to: to)
            counts.append(times.count)
            gaps.append(gap)
            #expect(times.count >= 24, "\(id) made \(times.count) requests in 60 s, under 80 % of its 30 (share 5 per 10 s)")
            #expect(gap <= 6, "\(id) went \(Self.f(gap)) s without a request: \(times.map { Self.f($0 - from) })")
        }
        print("budget: per source in 60 s: min \(counts.min() ?? 0), max \(counts.max() ?? 0) requests; longest gap \(Self.f(gaps.max() ?? 0)) s")
        let shares = try Self.waitBoard(cluster, timeout: 10) { b in Self.sourceIDs.allSatisfy { b.share($0) != nil } }
        for id in Self.sourceIDs {
            let b = shares.budget(id)
            #expect(b?["name"] as? String == "api" && Self.number(b?["interval_seconds"]) == 10, "\(id): budget \(b.map { "\($0)" } ?? "nil")")
            #expect(abs((shares.share(id) ?? 0) - 5) < 0.01, "\(id): share \(shares.share(id).map { "\($0)" } ?? "nil"), expected 60 / 12 = 5")
        }

        // Each replica's /metrics: what it sent in the budget, its allotment and what is left of it.
        for id in all.sorted() {
            let port = try #require(managers[id]!.httpPort)
            let metrics = RawHTTP.request(port: port, path: "/metrics", timeout: 10)?.body ?? ""
            func value(_ name: String) -> Double? {
                metrics.split(separator: "\n").first { $0.hasPrefix("\(name){budget=\"api\"}") }
                    .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
            }
            let runs = Self.sourceIDs.filter { three.instance($0) == id }.count
            #expect(value("stream_manager_budget_limit_requests") == 60, "\(id) /metrics: \(metrics.split(separator: "\n").filter { $0.contains("budget") })")
            #expect(value("stream_manager_budget_allotted_requests") == Double(runs * 5), "\(id) runs \(runs) sources of 5 requests each")
            #expect(value("stream_manager_budget_remaining_requests").map { $0 >= 0 && $0 <= Double(runs * 5) } == true)
            if runs > 0 { #expect((value("stream_manager_budget_requests_total") ?? 0) >= Double(runs * 20), "\(id) sent too few requests") }
        }

        // A crash: the busiest replica's sources stop until its session (6 s) expires and the
        // other two take them over.
        let victim = all.max { a, b in
            (three.sources.keys.filter { three.instance($0) == a }.count, b) < (three.sources.keys.filter { three.instance($0) == b }.count, a)
        }!
        let survivors = all.subtracting([victim])
        let victims = three.sources.keys.filter { three.instance($0) == victim }.sorted()
        try #require(!victims.isEmpty, "no replica runs a source: \(three.summary)")
        let tk = Self.now()
        _ = managers[victim]!.terminate(signal: SIGKILL)
        var movedAt: Double?
        var last = three
        while Self.now() < tk + 30 {
            if movedAt == nil {
                last = try Board(cluster)
                if victims.allSatisfy({ last.running($0, on: survivors) }) { movedAt = Self.now() }
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(movedAt != nil, "\(victim)'s sources \(victims) not RUNNING on \(survivors.sorted()) within 30 s: \(last.summary)")
        let killLog = try api.log().filter { $0.t >= tk && $0.t < tk + 30 }
        let afterKill = killLog.map(\.t)
        // When the moved sources fetched again, as the API saw it: the last of their first requests.
        let firstAgain = victims.map { id in killLog.first { $0.name == id }?.t }
        let kw = Self.windows(afterKill, from: tk, to: tk + 30)
        #expect(!kw.isEmpty && kw.max()! <= 63, "a 10-s window over 63 requests after the SIGKILL: \(kw)")
        // 90 % of 6 req/s over 3 s is 16.2 requests; the count in (T - 3, T] peaks at a request time T.
        func lastThreeSeconds(_ t: Double) -> Int { afterKill.filter { $0 > t - 3 && $0 <= t }.count }
        let recovered = afterKill.first { $0 >= tk + 3 && lastThreeSeconds($0) >= 17 }
        let bySecond = (3...30).map { lastThreeSeconds(tk + Double($0)) }
        // The move itself is the group's failover: the session timeout (6 s) plus the broker's
        // rebalance (kafka-dev's coordinator adds about 5 s; README "Tested against"). What the
        // budget owes is that the moved sources take their share up at once: the fleet's rate is
        // back within 3 s of their start elsewhere (one 2-s slot spacing, plus the 3-s average's lag).
        let moved = firstAgain.contains(where: { $0 == nil }) ? tk + 30 : firstAgain.map { $0! }.max()!
        let recoveryProblem = "the rate was not back to 5.4 req/s (3-s average) within 3 s of the move (at tk+\(Self.f(moved - tk)) s); "
            + "3-s counts at tk+3…30 s: \(bySecond)"
        #expect(recovered.map { $0 <= moved + 3 } == true, "\(recoveryProblem)")
        print("budget: SIGKILL \(victim) (\(victims.joined(separator: ","))): its sources fetching again from the others after \(Self.f(moved - tk)) s "
              + "(RUNNING in `status` after \(movedAt.map { Self.f($0 - tk) } ?? "-") s); "
              + "rate back to >= 90 % at tk+\(recovered.map { Self.f($0 - tk) } ?? "never") s (lowest 3-s average \(Self.f(Double(bySecond.min() ?? 0) / 3)) req/s); "
              + "10-s windows max \(kw.max() ?? 0)")

        // A 429 with Retry-After: 5 pauses the whole budget on both replicas until 5 s after it.
        let armed = Self.now()
        try api.throttleOnce(retryAfter: 5)
        var throttled: Double?
        while throttled == nil, Self.now() < armed + 10 {
            throttled = try api.log().first { $0.status == 429 && $0.t >= armed }?.t
            if throttled == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let t0 = try #require(throttled, "no request got the 429 within 10 s")
        var paused: Set<String> = []
        var seen: [String: String] = [:]
        while Self.now() < t0 + 5 {
            let board = try Board(cluster)
            for id in Self.sourceIDs {
                guard let b = board.budget(id) else { continue }
                seen[id] = "\(b)"
                if b["paused_until"] is String, (b["pause_reason"] as? String)?.contains("429") == true { paused.insert(id) }
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
        Self.sleep(until: t0 + 8)
        let after = try api.log().filter { $0.t > t0 }
        let inFlight = after.filter { $0.t < t0 + 0.5 }
        let during = after.filter { $0.t >= t0 + 0.5 && $0.t < t0 + 5 }
        let resumed = after.first { $0.t >= t0 + 0.5 }
        #expect(during.isEmpty, "requests during the pause: \(during.map { "\($0.name) at t0+\(Self.f($0.t - t0)) s (\($0.status))" })")
        #expect(resumed.map { $0.t <= t0 + 8 } == true, "no request in the 3 s after the pause ended")
        let notPaused = Self.sourceIDs.filter { !paused.contains($0) }
        #expect(notPaused.isEmpty, "never seen paused by the 429: \(notPaused.map { "\($0): \(seen[$0] ?? "no budget")" })")
        print("budget: 429 at t0: \(inFlight.count) requests in (t0, t0+0.5 s), none from t0+0.5 to t0+5 s (\(during.count)); "
              + "first after at t0+\(resumed.map { Self.f($0.t - t0) } ?? "-") s; \(paused.count)/12 sources showed the pause")

        // A smaller budget, applied live: the streams keep running, the windows follow the new number.
        let before = try Self.waitBoard(cluster, timeout: 10) { b in Self.sourceIDs.allSatisfy { b.sources[$0]?["stream_id"] is String } }
        let streams = Dictionary(uniqueKeysWithValues: Self.sourceIDs.map { ($0, before.sources[$0]?["stream_id"] as? String ?? "") })
        try Self.sourcesYAML(port: api.port, requests: 30).write(toFile: file, atomically: true, encoding: .utf8)
        let change = try cluster.cli(["apply", "-f", file])
        let t1 = Self.now()
        #expect(change.status == 0, "apply of requests: 30: \(change.stdout)\n\(change.stderr)")
        Self.sleep(until: t1 + 40.2)
        let reduced = try api.log().filter { $0.t >= t1 + 10 && $0.t < t1 + 40 }.map(\.t)
        let rw = Self.windows(reduced, from: t1 + 10, to: t1 + 40)
        #expect(!rw.isEmpty && rw.max()! <= 31, "a 10-s window over 31 requests (budget 30 + 5 %) from 10 s after the change: \(rw)")
        print("budget: after requests: 30: 10-s windows max \(rw.max() ?? 0), mean \(Self.f(Double(rw.reduce(0, +)) / Double(max(rw.count, 1)))) (limit 31)")
        let changed = try Self.waitBoard(cluster, timeout: 15) { b in Self.sourceIDs.allSatisfy { abs((b.share($0) ?? 0) - 2.5) < 0.01 } }
        for id in Self.sourceIDs {
            #expect(abs((changed.share(id) ?? 0) - 2.5) < 0.01, "\(id): share \(changed.share(id).map { "\($0)" } ?? "nil"), expected 30 / 12 = 2.5")
            let stream = changed.sources[id]?["stream_id"] as? String
            #expect(!(streams[id] ?? "").isEmpty && stream == streams[id], "\(id) restarted: stream \(streams[id] ?? "-") → \(stream ?? "-")")
        }

        for id in survivors.sorted() { #expect(managers[id]!.terminate() == 0, "\(id) did not exit 0: \(managers[id]!.stderrText.suffix(4000))") }
    }
}
