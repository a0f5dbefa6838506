import Foundation
import Kafka
@testable import Operator
import Pipeline
import Reconciler
import Testing

/// The dashboard's model of the fleet, fed record by record as the status follower reads them.
@Suite("fleet board: the status topic as the dashboard shows it")
struct FleetBoardTests {
    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    static func record(_ key: String, _ value: [UInt8]?, offset: Int64 = 0) -> ConsumerRecord {
        ConsumerRecord(topic: "stream-status", partition: 0, offset: offset, key: Array(key.utf8), value: value)
    }

    static func status(_ id: String, _ state: SourceState, processed: Int = 0, at seconds: Double = 0,
                       instance: String = "m1", hash: String? = "aa", error: String? = nil) -> ConsumerRecord {
        var s = SourceStatus(sourceID: id, state: state, instanceID: instance, at: t0.addingTimeInterval(seconds))
        s.recordsProcessed = processed
        s.configHash = hash
        s.lastError = error
        return record(SourceStatus.key(id), s.json())
    }

    static func heartbeat(_ id: String, at seconds: Double, interval: Double? = 5, sources: [String] = ["a"]) -> ConsumerRecord {
        var object: [String: Any] = ["instance_id": id, "version": "0.6.0", "started_at": RFC3339.string(t0),
                                     "updated_at": RFC3339.string(t0.addingTimeInterval(seconds)), "config_source": "kafka",
                                     "delivery_mode": "shared", "assigned_partitions": [0, 1], "sources": sources,
                                     "active_streams": sources.count, "config_error": NSNull(), "warnings": [],
                                     "metrics": ["big": "tree"]]
        if let interval { object["status_interval_seconds"] = interval }
        return record(ManagerHeartbeat.key(id), Array(try! JSONSerialization.data(withJSONObject: object)))
    }

    static func parse(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test("records/s from two consecutive records; null for the first, after a count that went back or a new owner")
    func rate() throws {
        let board = FleetBoard(instanceID: "m1", statusTopic: "stream-status")
        board.observe(Self.status("a", .running, processed: 100, at: 0))
        var row = try Self.parse(try #require(board.source("a")).json)
        #expect(row["records_per_second"] is NSNull)
        board.observe(Self.status("a", .running, processed: 350, at: 5))
        row = try Self.parse(try #require(board.source("a")).json)
        #expect(row["records_per_second"] as? Double == 50)
        #expect(row["records_processed"] as? Int == 350 && row["source_id"] as? String == "a")
        board.observe(Self.status("a", .running, processed: 10, at: 6, instance: "m2"))
        row = try Self.parse(try #require(board.source("a")).json)
        #expect(row["records_per_second"] is NSNull)
    }

    @Test("transitions: one per change of state, owner, config or error; counts alone add none; at most 100 kept")
    func transitions() throws {
        let board = FleetBoard(instanceID: "m1", statusTopic: "stream-status")
        board.observe(Self.status("a", .starting, at: 0))
        board.observe(Self.status("a", .running, processed: 5, at: 1))
        board.observe(Self.status("a", .running, processed: 9, at: 2))
        board.observe(Self.status("a", .degraded, processed: 9, at: 3, error: "HTTP 503"))
        board.observe(Self.status("a", .running, processed: 12, at: 4, hash: "bb"))
        let seen = try #require(board.source("a")).transitions
        #expect(seen.map(\.state) == ["STARTING", "RUNNING", "DEGRADED", "RUNNING"])
        #expect(seen[2].error == "HTTP 503" && seen[3].configHash == "bb")
        for i in 0..<150 { board.observe(Self.status("a", i % 2 == 0 ? .degraded : .running, at: Double(10 + i))) }
        let capped = try #require(board.source("a")).transitions
        #expect(capped.count == 100 && capped.last?.at == RFC3339.string(Self.t0.addingTimeInterval(159)))
    }

    @Test("a client gets only what changed since its last event, removals included; an unreadable record changes nothing")
    func changes() throws {
        let board = FleetBoard(instanceID: "m1", statusTopic: "stream-status")
        board.observe(Self.status("a", .running))
        board.observe(Self.status("b", .running))
        board.observe(Self.heartbeat("m1", at: 0))
        let (snapshot, seq) = board.snapshotJSON(now: Self.t0)
        let whole = try Self.parse(snapshot)
        #expect((whole["sources"] as? [[String: Any]])?.map { $0["source_id"] as? String } == ["a", "b"])
        let manager = try #require((whole["managers"] as? [[String: Any]])?.first)
        #expect(manager["source_count"] as? Int == 1 && manager["metrics"] == nil && manager["sources"] == nil)
        #expect(manager["delivery_mode"] as? String == "shared" && manager["stale"] as? Bool == false)
        guard case .none = board.changes(since: seq) else { Issue.record("no change expected"); return }

        board.observe(Self.status("b", .failed, error: "boom"))
        board.observe(Self.record(SourceStatus.key("a"), nil))
        board.observe(Self.record(SourceStatus.key("c"), Array("{not json".utf8)))
        board.observe(Self.record(SourceStatus.key("d"), Array(#"{"source_id":"other","state":"RUNNING","instance_id":"x","updated_at":"z"}"#.utf8)))
        board.observe(Self.record("budget:x", Array("{}".utf8)))
        guard case .update(let json, let latest) = board.changes(since: seq) else { Issue.record("an update expected"); return }
        let update = try Self.parse(json)
        #expect((update["sources"] as? [[String: Any]])?.map { $0["state"] as? String } == ["FAILED"])
        #expect(update["removed_sources"] as? [String] == ["a"])
        #expect(board.sourceCount == 1)
        guard case .none = board.changes(since: latest) else { Issue.record("nothing after the latest"); return }
    }

    @Test("a client further behind than the removals kept is sent a snapshot")
    func resync() {
        let board = FleetBoard(instanceID: "m1", statusTopic: "stream-status", removalLimit: 100)
        for i in 0...100 {
            board.observe(Self.status("s\(i)", .running))
            board.observe(Self.record(SourceStatus.key("s\(i)"), nil))
        }
        guard case .resync = board.changes(since: 1) else { Issue.record("a resync expected"); return }
        guard case .update = board.changes(since: board.seq - 1) else { Issue.record("a recent client still gets updates"); return }
    }

    @Test("a heartbeat is stale after three status intervals (at least 30 s; 90 s when the record does not say)")
    func stale() throws {
        let board = FleetBoard(instanceID: "m1", statusTopic: "stream-status")
        board.observe(Self.heartbeat("fast", at: 0, interval: 1))
        board.observe(Self.heartbeat("slow", at: 0, interval: 60))
        board.observe(Self.heartbeat("old", at: 0, interval: nil))
        func stale(after seconds: Double) throws -> [String] {
            let managers = try Self.parse(board.snapshotJSON(now: Self.t0.addingTimeInterval(seconds)).json)["managers"] as? [[String: Any]]
            return (managers ?? []).filter { $0["stale"] as? Bool == true }.compactMap { $0["instance_id"] as? String }
        }
        #expect(try stale(after: 29) == [])
        #expect(try stale(after: 31) == ["fast"])
        #expect(try stale(after: 91) == ["fast", "old"])
        #expect(try stale(after: 181) == ["fast", "old", "slow"])
    }

    @Test("config versions: reused while the config version is the same; at most two config-topic reads at once")
    func versionCache() {
        let cache = ConfigVersionCache()
        cache.put("a", configVersion: "kafka:0:1", json: "[1]")
        #expect(cache.get("a", configVersion: "kafka:0:1") == "[1]")
        #expect(cache.get("a", configVersion: "kafka:0:2") == nil)
        #expect(cache.beginRead() && cache.beginRead())
        #expect(!cache.beginRead())
        cache.endRead()
        #expect(cache.beginRead())
    }
}
