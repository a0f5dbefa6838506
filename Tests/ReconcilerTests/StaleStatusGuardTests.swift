import Foundation
import Kafka
import Reconciler
import TestSupport
import Testing

@Suite("stale status guard (Kafka Connect's generation rule)")
struct StaleStatusGuardTests {
    @Test("a replica of an older generation may not overwrite another owner's record; its own, or a newer generation, may")
    func generations() async throws {
        // A broker process of the lane's kind: the guard reads the status topic as a replica would.
        let broker = try TestBroker()
        let servers: [String] = .bootstrapList(broker.bootstrap)
        let logger = TestLogging.logger(label: "guard-tests")
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: servers), logger: logger)
        _ = try await admin.ensureTopic(.compacted("stream-status", partitions: 1))
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: servers), logger: logger)
        var written = SourceStatus(sourceID: "s", state: .running, instanceID: "b", generation: 5)
        written.recordsProcessed = 1
        _ = try await producer.sendAndWait(ProducerRecord(topic: "stream-status", key: Array("source:s".utf8), value: written.json()))
        let mine = SourceStatus(sourceID: "t", state: .running, instanceID: "a", generation: 9)
        _ = try await producer.sendAndWait(ProducerRecord(topic: "stream-status", key: Array("source:t".utf8), value: mine.json()))

        let guardA = StaleStatusGuard(topic: "stream-status", configuration: .init(bootstrapServers: servers),
                                      instanceID: "a", logger: logger)
        try await guardA.start()
        #expect(!guardA.mayWrite(sourceID: "s", generation: 4))  // b owns it at generation 5
        #expect(guardA.mayWrite(sourceID: "s", generation: 6))   // a newer assignment moved it to a
        #expect(guardA.mayWrite(sourceID: "t", generation: 1))   // its own record
        #expect(guardA.mayWrite(sourceID: "new", generation: 1)) // nobody wrote it yet
        await guardA.stop()
    }
}
