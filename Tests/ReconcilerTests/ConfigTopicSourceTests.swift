import Foundation
import Kafka
import Reconciler
import TestSupport
import Testing

@Suite("desired state from the config topic")
struct ConfigTopicSourceTests {
    static let logger = TestLogging.logger(label: "reconciler-tests")

    static func describe(_ e: DesiredStateEvent) -> String {
        switch e {
        case .initStarted: return "init"
        case .initDone: return "initDone"
        case .apply(let d): return "apply \(d.sourceID) \(d.configVersion ?? "nil")\(d.warnings.isEmpty ? "" : " warnings")"
        case .reject(let id, let r): return "reject \(id) \(r.configVersion)"
        case .delete(let id, let v): return "delete \(id) \(v)"
        case .documentError: return "documentError"
        case .restart(let r): return "restart \(r.sourceID) \(r.streamID)"
        case .budget(let name, let b): return "budget \(name) \(b.map { "\($0.requests)/\($0.intervalSeconds)" } ?? "deleted")"
        case .rejectBudget(let name, _): return "rejectBudget \(name)"
        }
    }

    @Test("snapshot (last value per key, tombstones, invalid records rejected), then follows changes")
    func snapshotThenFollow() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("stream-config", partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: Self.logger)
        func put(_ key: String, _ value: String?) async throws {
            _ = try await producer.sendAndWait(ProducerRecord(topic: "stream-config", key: Array(key.utf8), value: value.map { Array($0.utf8) }))
        }
        let gen = #"{"source_type":"generator","topic":"t","connector":{"rate_per_second":1}}"#
        try await put("a", gen)                                                       // offset 0, replaced below
        try await put("b", gen)                                                       // 1
        try await put("a", #"{"source_type":"generator","topic":"t2","future_key":1}"#) // 2: unknown key → warning
        try await put("c", #"{"source_type":"generator","topic":"t","ingestion":{"mode":"fast"}}"#)  // 3: invalid
        try await put("d", gen)                                                       // 4
        try await put("d", nil)                                                       // 5: tombstone
        try await put("__lock", gen)                                                  // 6: reserved, ignored
        try await put("__restart:b", #"{"stream_id":"b-1"}"#)                         // 7: a past request, not replayed
        try await put("__budget:api", #"{"requests":60,"interval_seconds":10}"#)     // 8: a budget

        let source = ConfigTopicSource(topic: "stream-config", configuration: .init(bootstrapServers: cluster.bootstrapList),
                                       logger: Self.logger)
        var events: [DesiredStateEvent] = []
        var iterator = source.events().makeAsyncIterator()
        while let e = await iterator.next() {
            events.append(e)
            if e == .initDone { break }
        }
        #expect(events.map(Self.describe) == ["init", "budget api 60/10.0", "apply a kafka:0:2 warnings", "apply b kafka:0:1",
                                              "reject c kafka:0:3", "initDone"])
        if case .reject(_, let r) = events[4] {
            #expect(r.error.contains("line 1") && r.error.contains("ingestion.mode") && r.configHash?.count == 64)
        }
        try await put("b", #"{"source_type":"generator","topic":"t","ingestion":{"polling_interval_seconds":9}}"#)  // 9
        try await put("__restart:b", #"{"stream_id":"b-2","requested_by":"ops"}"#)  // 10
        try await put("__restart:c", "not json")  // 11: ignored
        try await put("a", nil)  // 12
        try await put("__budget:api", #"{"requests":30,"interval_seconds":10}"#)  // 13: changed
        try await put("__budget:api", #"{"requests":0}"#)  // 14: refused, the last good one stands
        try await put("__budget:api", nil)  // 15: deleted
        var changes: [String] = []
        while changes.count < 6, let e = await iterator.next() { changes.append(Self.describe(e)) }
        #expect(changes == ["apply b kafka:0:9", "restart b b-2", "delete a kafka:0:12", "budget api 30/10.0", "rejectBudget api",
                            "budget api deleted"])
        await producer.close()
    }
}
