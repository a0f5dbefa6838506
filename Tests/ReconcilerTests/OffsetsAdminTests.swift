import Foundation
import Kafka
import Reconciler
import StreamManagerKit
import TestSupport
import Testing

/// `OffsetsAdmin` through the library, against topics written as the operator writes them: when an
/// edit is refused, and what a written record keeps.
@Suite("OffsetsAdmin: cursor edits refused while a live manager runs the source")
struct OffsetsAdminTests {
    static let logger = TestLogging.logger(label: "offsets-admin-tests")
    static let generator = #"{"source_type":"generator","topic":"t","connector":{"rate_per_second":1}}"#

    final class Topics {
        let cluster: EmbeddedKafkaCluster
        let producer: KafkaProducer
        let admin: OffsetsAdmin

        init() throws {
            cluster = try EmbeddedKafkaCluster()
            for topic in ["stream-offsets", "stream-status", "stream-config"] { try cluster.createTopic(topic, partitions: 1) }
            producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: OffsetsAdminTests.logger)
            admin = OffsetsAdmin(topics: .init(offsets: "stream-offsets", status: "stream-status", config: "stream-config"),
                                 bootstrapServers: cluster.bootstrapList, logger: OffsetsAdminTests.logger)
        }

        func put(_ topic: String, _ key: String, _ value: String?) async throws {
            _ = try await producer.sendAndWait(ProducerRecord(topic: topic, key: Array(key.utf8), value: value.map { Array($0.utf8) }))
        }

        func status(_ id: String, _ state: SourceState, instance: String = "m1") async throws {
            let status = SourceStatus(sourceID: id, state: state, instanceID: instance)
            _ = try await producer.sendAndWait(ProducerRecord(topic: "stream-status", key: Array("source:\(id)".utf8), value: status.json()))
        }

        /// The error `body` throws, described; nil when it succeeds.
        func refusal(_ body: () async throws -> Void) async -> String? {
            do {
                try await body()
                return nil
            } catch {
                return "\(error)"
            }
        }
    }

    @Test("refused in STARTING, RUNNING, RECONFIGURING and DEGRADED while the manager's heartbeat is there; allowed otherwise")
    func refusedWhileRunning() async throws {
        let t = try Topics()
        try await t.put("stream-config", "g", Self.generator)
        try await t.status("g", .running)
        // No heartbeat: the manager that wrote RUNNING is gone, nothing will overwrite the edit.
        let (before, after) = try await t.admin.set("g", cursor: "7")
        #expect(before == nil && after.record.cursor == "7")

        try await t.put("stream-status", "manager:m1", #"{"instance_id":"m1"}"#)
        for state in [SourceState.starting, .running, .reconfiguring, .degraded] {
            try await t.status("g", state)
            let set = await t.refusal { try await t.admin.set("g", cursor: "8") }
            #expect(set == "source 'g' is running (\(state.rawValue) on instance m1); pause it first with 'enabled: false', set the cursor, then enable it (if m1 is gone for good, killed and not coming back, its records stay behind: --force skips this check)")
            let reset = await t.refusal { try await t.admin.reset("g") }
            #expect(reset == set)
        }
        #expect(try await t.admin.get("g").record.cursor == "7", "a refused edit wrote something")
        // --force: the user says that manager is gone for good.
        #expect(try await t.admin.set("g", cursor: "8", force: true).after.record.cursor == "8")
        #expect(try await t.admin.set("g", cursor: "7", force: true).after.record.cursor == "7")
        for (state, cursor) in [(SourceState.stopped, "9"), (.failed, "10"), (.rejected, "11")] {
            try await t.status("g", state)
            #expect(try await t.admin.set("g", cursor: cursor).after.record.cursor == cursor)
        }
        // A record of an instance whose heartbeat is gone holds nothing up, whoever else is alive.
        try await t.status("g", .running, instance: "gone")
        #expect(try await t.admin.reset("g")?.record.cursor == "11")
        #expect(await t.refusal { _ = try await t.admin.get("g") } == "no committed cursor for 'g'")
        #expect(try await t.admin.list().isEmpty)
        #expect(try await t.admin.reset("g") == nil, "a second reset has nothing to forget")
    }

    @Test("set keeps the record's config, hash, version and stream id; takes them from the config topic when there is no record")
    func setKeepsTheRecord() async throws {
        let t = try Topics()
        let store = try OffsetStore(topic: "stream-offsets", bootstrapServers: t.cluster.bootstrapList, logger: Self.logger)
        let committed = CommittedCursor(cursor: #"{"file":"/d/a.csv","offset":3}"#, configHash: "h1", streamID: "f_1",
                                        config: #"{"connector":{"path":"${DATA_DIR}/a.csv"},"source_type":"file","topic":"t"}"#,
                                        configVersion: "kafka:0:4", updatedAt: Date(timeIntervalSince1970: 0))
        try await store.write(sourceID: "f", committed)
        await store.close()

        let (before, after) = try await t.admin.set("f", cursor: #"{"offset": 10, "file": "/d/b.csv"}"#)
        #expect(before?.record == committed)
        #expect(after.record.cursor == #"{"file":"/d/b.csv","offset":10}"#)
        #expect(after.record.configHash == "h1" && after.record.streamID == "f_1" && after.record.configVersion == "kafka:0:4")
        #expect(after.record.config == committed.config, "the config is kept as written, ${DATA_DIR} unresolved")
        #expect(after.record.updatedAt != committed.updatedAt)
        let shown = try await t.admin.get("f")
        #expect(shown == after)
        #expect(shown.json().contains(#""cursor":{"file":"/d/b.csv","offset":10}"#) && shown.json().contains("${DATA_DIR}"), "\(shown.json())")

        let shape = await t.refusal { try await t.admin.set("f", cursor: "5") }
        #expect(shape?.hasPrefix("invalid cursor for 'f' (file): got 5; expected a file cursor") == true, "\(shape ?? "accepted")")
        #expect(await t.refusal { try await t.admin.set("nope", cursor: "5") } == "source 'nope' is in neither the offsets topic nor the config topic")

        try await t.put("stream-config", "g", Self.generator)
        let fresh = try await t.admin.set("g", cursor: "42").after
        #expect(fresh.record.cursor == "42" && fresh.record.streamID.isEmpty && fresh.record.configVersion == "kafka:0:0")
        #expect(fresh.sourceType == "generator" && fresh.record.configHash.count == 64)
        try await t.put("stream-config", "broken", #"{"source_type":"generator","ingestion":{"mode":"fast"}}"#)
        let broken = await t.refusal { try await t.admin.set("broken", cursor: "1") }
        #expect(broken == "source 'broken' has no offsets record and its config record (kafka:0:1) does not parse: fix the record first")
        #expect(try await t.admin.list().map(\.sourceID) == ["f", "g"])
    }
}
