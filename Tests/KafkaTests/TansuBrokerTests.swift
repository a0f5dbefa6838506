import Foundation
import Kafka
import Testing

/// The same client against an independent Kafka-compatible broker (Tansu, in Rust).
/// `scripts/tansu-tests.sh` (run by `make test`) starts Tansu, puts librdkafka 2.16 on
/// LD_LIBRARY_PATH and sets TANSU_BOOTSTRAP; without it this suite is skipped.
enum TansuEnvironment {
    static let bootstrap = ProcessInfo.processInfo.environment["TANSU_BOOTSTRAP"]
}

@Suite("Against Tansu, an independent broker",
       .enabled(if: TansuEnvironment.bootstrap != nil, "TANSU_BOOTSTRAP not set (run scripts/tansu-tests.sh)"))
struct TansuBrokerTests {
    var servers: [String] { [TansuEnvironment.bootstrap!] }

    private func admin() throws -> KafkaAdmin {
        try KafkaAdmin(configuration: .init(bootstrapServers: servers), logger: KafkaTesting.logger)
    }

    @Test("runs with a librdkafka that speaks Tansu's ApiVersions")
    func libraryVersion() {
        let parts = librdkafkaVersion.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count >= 2 && (parts[0] > 2 || (parts[0] == 2 && parts[1] >= 16)), "loaded \(librdkafkaVersion)")
    }

    @Test("ensureTopic creates a compacted topic with the requested partitions, then finds it")
    func ensureTopic() async throws {
        let admin = try admin()
        let name = KafkaTesting.uniqueName("tansu-ensure")
        #expect(try await admin.ensureTopic(.compacted(name, partitions: 3)) == .created(partitions: 3))
        #expect(try await admin.ensureTopic(.compacted(name, partitions: 3)) == .alreadyExisted(partitions: 3))
        #expect(try await admin.topicConfigs(name)?["cleanup.policy"] == "compact")
    }

    @Test("produce and consume: keys, headers, tombstones, delivery reports")
    func roundTrip() async throws {
        let topic = KafkaTesting.uniqueName("tansu-rt")
        _ = try await admin().ensureTopic(TopicSpec(name: topic, partitions: 2))
        let reports = Collector<DeliveryReport>()
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: servers), logger: KafkaTesting.logger) {
            reports.append($0)
        }
        for i in 0..<20 {
            try producer.send(ProducerRecord(topic: topic, key: "k\(i % 4)", value: "v\(i)",
                                             headers: [KafkaHeader(key: "i", string: "\(i)")]))
        }
        try producer.send(ProducerRecord(topic: topic, key: "k0", value: nil))
        try await producer.flush(timeout: .seconds(30))
        #expect(reports.count == 21)
        #expect(reports.all.allSatisfy { $0.isDelivered })
        let records = try await KafkaTesting.readAll(bootstrap: servers, topic: topic, partitions: 2, count: 21, timeout: .seconds(30))
        #expect(records.count == 21)
        #expect(records.filter(\.isTombstone).map(\.keyString) == ["k0"])
        #expect(records.first { $0.valueString == "v5" }?.header("i")?.stringValue == "5")
        for r in records { #expect(r.partition == Murmur2Partitioner.partition(forKey: r.key!, partitionCount: 2)) }
        await producer.close()
    }

    @Test("the compacted reader syncs to the high watermark and follows")
    func compactedReader() async throws {
        let topic = KafkaTesting.uniqueName("tansu-compact")
        _ = try await admin().ensureTopic(.compacted(topic, partitions: 3))
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: servers), logger: KafkaTesting.logger)
        for i in 0..<6 { try producer.send(ProducerRecord(topic: topic, key: "s\(i)", value: "a\(i)")) }
        try producer.send(ProducerRecord(topic: topic, key: "s1", value: "b1"))
        try producer.send(ProducerRecord(topic: topic, key: "s2", value: nil))
        try await producer.flush(timeout: .seconds(30))
        let reader = CompactedTopicReader(topic: topic, configuration: .init(bootstrapServers: servers), logger: KafkaTesting.logger)
        var events = reader.events().makeAsyncIterator()
        guard case .initDone(let snapshot) = try await events.next() else { Issue.record("expected initDone"); return }
        #expect(snapshot.mapValues { $0.valueString } == ["s0": "a0", "s1": "b1", "s3": "a3", "s4": "a4", "s5": "a5"])
        _ = try await producer.sendAndWait(ProducerRecord(topic: topic, key: "s9", value: "new"))
        guard case .upsert(let r) = try await events.next() else { Issue.record("expected upsert"); return }
        #expect(r.keyString == "s9" && r.valueString == "new")
        await producer.close()
    }
}
