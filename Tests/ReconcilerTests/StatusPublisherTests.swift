import Foundation
import Reconciler
import StreamConfig
import StreamManagerKit
import Synchronization
import TestSupport
import Testing

/// Collects what the publisher writes, in order.
final class CollectingWriter: StatusWriter {
    let records = Mutex<[(key: String, value: [UInt8]?)]>([])
    func write(key: String, value: [UInt8]?) { records.withLock { $0.append((key, value)) } }
    func flush(timeout: Duration) async {}

    /// `key state` per record, `key <tombstone>` for tombstones.
    var lines: [String] {
        records.withLock { list in
            list.map { r in
                guard let v = r.value else { return "\(r.key) <tombstone>" }
                if r.key.hasPrefix("manager:") { return "\(r.key) heartbeat" }
                let status = try! JSONDecoder().decode(SourceStatus.self, from: Data(v))
                return "\(r.key) \(status.state.rawValue)\(status.rejected != nil ? " rejected" : "")"
            }
        }
    }

    func last(_ key: String) -> [String: Any]? {
        records.withLock { list in
            list.last { $0.key == key }?.value.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
        }
    }
}

@Suite("status publisher: what each reconcile outcome writes to the status topic")
struct StatusPublisherTests {
    static let logger = TestLogging.logger(label: "status-tests")

    static func desired(_ id: String, rate: Double = 1, enabled: Bool = true, version: String = "kafka:0:1") -> DesiredSource {
        var s = SourceConfig(sourceType: "generator", topic: "t", connector: ["rate_per_second": .double(rate)])
        s.enabled = enabled
        return DesiredSource(sourceID: id, config: s, configVersion: version)
    }

    static func publisher(_ writer: CollectingWriter, interval: Duration = .seconds(3600)) -> StatusPublisher {
        StatusPublisher(identity: .init(instanceID: "m-1", configSource: "kafka"), writer: writer,
                        runtime: StreamRuntime(config: StreamManagerConfig(), logger: logger), interval: interval, logger: logger)
    }

    @Test("start, hot change, refused edit while running, make-before-break, removal: one record per change")
    func lifecycle() throws {
        let writer = CollectingWriter()
        let p = Self.publisher(writer)
        let v1 = Self.desired("a"), v2 = Self.desired("a", rate: 2, version: "kafka:0:2")
        p.handle(.beginning(sourceID: "a", source: v1, restart: false))
        p.handle(.started(sourceID: "a", streamID: "a_1", source: v1))
        p.handle(.started(sourceID: "a", streamID: "a_1", source: v1))  // no change, no record
        let refusal = Rejection(configHash: "ff", configVersion: "kafka:0:3", error: "line 2, column 3: mode: unknown value 'fast'")
        p.handle(.rejected(sourceID: "a", refusal, running: true))
        p.handle(.beginning(sourceID: "a", source: v2, restart: true))
        p.handle(.restarted(sourceID: "a", streamID: "a_2", fields: ["connector.rate_per_second"], source: v2))
        p.handle(.stopped(sourceID: "a", removed: true, source: nil))
        #expect(writer.lines == ["source:a STARTING", "source:a RUNNING", "source:a RUNNING rejected",
                                 "source:a RECONFIGURING rejected", "source:a RUNNING", "source:a STOPPED", "source:a <tombstone>"])
        #expect(p.statuses["a"] == nil)
    }

    @Test("records carry the README's fields: hash and version of what runs, the refusal with its position")
    func fields() throws {
        let writer = CollectingWriter()
        let p = Self.publisher(writer)
        let v1 = Self.desired("a")
        p.handle(.started(sourceID: "a", streamID: "a_20261130_101010_0000abcd", source: v1))
        let refusal = Rejection(configHash: "ff", configVersion: "kafka:0:3", error: "line 2, column 3: mode: unknown value 'fast'")
        p.handle(.rejected(sourceID: "a", refusal, running: true))
        let record = try #require(writer.last("source:a"))
        #expect(Set(record.keys) == Set(SourceStatus.fields))
        #expect(record["config_hash"] as? String == v1.configHash)
        #expect(record["config_version"] as? String == "kafka:0:1")
        #expect(record["state"] as? String == "RUNNING")
        #expect(record["instance_id"] as? String == "m-1")
        let rejected = try #require(record["rejected"] as? [String: Any])
        #expect(rejected["config_version"] as? String == "kafka:0:3")
        #expect((rejected["error"] as? String)?.contains("line 2, column 3") == true)
        #expect(record["stream_id"] as? String == "a_20261130_101010_0000abcd")
    }

    @Test("a refused config with nothing running is REJECTED with no hash of its own; a failed start is FAILED with the error")
    func rejectedAndFailed() throws {
        let writer = CollectingWriter()
        let p = Self.publisher(writer)
        p.handle(.rejected(sourceID: "x", Rejection(configHash: nil, configVersion: "file:abc", error: "bad"), running: false))
        let x = try #require(writer.last("source:x"))
        #expect(x["state"] as? String == "REJECTED")
        #expect(x["config_hash"] is NSNull)
        #expect((x["rejected"] as? [String: Any])?["config_hash"] is NSNull)
        p.handle(.failed(sourceID: "y", error: "missing environment variable FIRMS_MAP_KEY", retryIn: .seconds(1),
                         source: Self.desired("y"), running: false))
        let y = try #require(writer.last("source:y"))
        #expect(y["state"] as? String == "FAILED")
        #expect(y["last_error"] as? String == "missing environment variable FIRMS_MAP_KEY")
        #expect(y["config_hash"] as? String == Self.desired("y").configHash)
    }

    @Test("a disabled source is STOPPED; a refusal made moot by a good config is cleared; shutdown: STOPPED and heartbeat tombstone")
    func ticksAndFinish() async throws {
        let writer = CollectingWriter()
        let p = Self.publisher(writer, interval: .zero)
        let off = Self.desired("off", enabled: false)
        p.handle(.started(sourceID: "a", streamID: "a_1", source: Self.desired("a")))
        p.handle(.rejected(sourceID: "a", Rejection(configHash: "ff", configVersion: "kafka:0:9", error: "bad"), running: true))
        let view = StatusPublisher.DesiredView(desired: DesiredState(sources: ["off": off, "a": Self.desired("a")]), documentError: nil)
        p.tick(view)
        #expect(p.statuses["off"]?.state == .stopped)
        #expect(p.statuses["a"]?.rejected == nil)
        #expect(writer.lines.contains("manager:m-1 heartbeat"))  // interval zero: every tick writes everything
        let heartbeat = try #require(writer.last("manager:m-1"))
        for field in ["instance_id", "version", "started_at", "updated_at", "config_source", "assigned_partitions", "sources",
                      "active_streams", "config_error", "warnings", "metrics"] {
            #expect(heartbeat[field] != nil, "heartbeat lacks \(field)")
        }
        #expect(p.statuses["off"]?.reason == "disabled")
        await p.finish()
        #expect(writer.lines.suffix(3) == ["source:a STOPPED", "source:off STOPPED", "manager:m-1 <tombstone>"])
        #expect(writer.last("source:a")?["reason"] as? String == "shutdown")
        #expect(writer.last("source:off")?["reason"] as? String == "disabled")  // it was not running: still disabled
        p.handle(.started(sourceID: "a", streamID: "a_2", source: Self.desired("a")))  // after shutdown: nothing
        #expect(writer.lines.last == "manager:m-1 <tombstone>")
    }

    @Test("reason: one word per state — null while running, disabled, removed, start_failed, rejected; a restart on request counts automatic ones")
    func reasons() throws {
        let writer = CollectingWriter()
        let p = Self.publisher(writer)
        p.handle(.started(sourceID: "a", streamID: "a_1", source: Self.desired("a")))
        #expect(writer.last("source:a")?["reason"] is NSNull)
        p.handle(.restartedOnRequest(sourceID: "a", streamID: "a_2", reason: .fetchFailures(10), restarts: 1,
                                     source: Self.desired("a")))
        let restarted = try #require(writer.last("source:a"))
        #expect(restarted["stream_id"] as? String == "a_2" && restarted["restarts"] as? Int == 1)
        #expect(restarted["state"] as? String == "RUNNING" && restarted["reason"] is NSNull)
        #expect((restarted["last_error"] as? String)?.contains("10 failed fetches in a row") == true)
        p.handle(.stopped(sourceID: "a", removed: false, source: Self.desired("a", enabled: false)))
        #expect(writer.last("source:a")?["reason"] as? String == "disabled")
        p.handle(.started(sourceID: "a", streamID: "a_3", source: Self.desired("a")))
        #expect(writer.last("source:a")?["reason"] is NSNull && writer.last("source:a")?["restarts"] as? Int == 1)
        p.handle(.stopped(sourceID: "a", removed: true, source: nil))
        #expect(writer.records.withLock { $0.dropLast().last?.value }.flatMap { v in
            (try? JSONSerialization.jsonObject(with: Data(v)) as? [String: Any])?["reason"] as? String } == "removed")
        p.handle(.failed(sourceID: "f", error: "boom", retryIn: .seconds(1), source: Self.desired("f"), running: false))
        #expect(writer.last("source:f")?["reason"] as? String == "start_failed")
        p.handle(.rejected(sourceID: "r", Rejection(configHash: nil, configVersion: "file:1", error: "bad"), running: false))
        #expect(writer.last("source:r")?["reason"] as? String == "rejected")
    }
}
