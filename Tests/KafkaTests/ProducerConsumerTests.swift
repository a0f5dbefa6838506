import Kafka
import TestSupport
import Testing

@Suite("Producer and consumer round trips on the embedded cluster")
struct ProducerConsumerTests {
    @Test("keys, headers, empty values and tombstones survive the round trip; every record gets a report")
    func roundTrip() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("roundtrip")
        try cluster.createTopic(topic, partitions: 3)
        let reports = Collector<DeliveryReport>()
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList),
                                         logger: KafkaTesting.logger) { reports.append($0) }
        var ids: [UInt64] = []
        for i in 0..<30 {
            ids.append(try producer.send(ProducerRecord(
                topic: topic, key: "key-\(i % 5)", value: "value-\(i)",
                headers: [KafkaHeader(key: "seq", string: "\(i)"), KafkaHeader(key: "no-value", value: nil)])))
        }
        ids.append(try producer.send(ProducerRecord(topic: topic, key: "key-0", value: nil)))
        ids.append(try producer.send(ProducerRecord(topic: topic, key: Array("key-1".utf8), value: [])))
        try await producer.flush(timeout: .seconds(20))

        #expect(Set(reports.all.map(\.messageID)) == Set(ids))
        #expect(reports.all.allSatisfy { $0.isDelivered && $0.offset >= 0 && $0.topic == topic })

        let records = try await KafkaTesting.readAll(bootstrap: cluster.bootstrapList, topic: topic, partitions: 3, count: 32)
        #expect(records.count == 32)
        let tombstone = try #require(records.first { $0.keyString == "key-0" && $0.isTombstone })
        #expect(tombstone.value == nil)
        let empty = try #require(records.first { $0.keyString == "key-1" && $0.value == [] })
        #expect(!empty.isTombstone)
        let first = try #require(records.first { $0.valueString == "value-7" })
        #expect(first.header("seq")?.stringValue == "7")
        #expect(first.header("no-value") != nil && first.header("no-value")?.value == nil)
        #expect(first.timestampMilliseconds != nil)
        // murmur2_random: every record of a key lands in the partition the Java client would pick.
        for record in records {
            #expect(record.partition == Murmur2Partitioner.partition(forKey: record.key!, partitionCount: 3))
        }
        await producer.close()
    }

    @Test("sendAndWait returns the offset; explicit partitions and timestamps are kept")
    func sendAndWait() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("wait")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        let a = try await producer.sendAndWait(ProducerRecord(topic: topic, key: "a", value: "1", partition: 1))
        var record = ProducerRecord(topic: topic, key: "a", value: "2", partition: 1)
        record.timestampMilliseconds = 1_700_000_000_000
        let b = try await producer.sendAndWait(record)
        #expect(a.partition == 1 && b.partition == 1)
        #expect(b.offset == a.offset + 1)
        let records = try await KafkaTesting.readAll(bootstrap: cluster.bootstrapList, topic: topic, partitions: 2, count: 2)
        #expect(records.last?.timestampMilliseconds == 1_700_000_000_000)
        await producer.close()
    }

    @Test("the records async sequence yields records in offset order per partition")
    func asyncSequence() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("seq")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        for i in 0..<50 { try producer.send(ProducerRecord(topic: topic, key: nil, value: "\(i)")) }
        try await producer.flush()
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        try consumer.assign([TopicPartition(topic: topic, partition: 0): .beginning])
        var seen: [String] = []
        for try await record in consumer.records {
            seen.append(record.valueString ?? "")
            if seen.count == 50 { break }
        }
        #expect(seen == (0..<50).map(String.init))
        await consumer.close()
        await producer.close()
    }

    @Test("a producer with no reachable broker reports queue-full as retriable backpressure")
    func queueFullIsBackpressure() async throws {
        var config = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        config.maxQueuedMessages = 5
        config.messageTimeoutMilliseconds = 2_000
        let reports = Collector<DeliveryReport>()
        let producer = try KafkaProducer(configuration: config, logger: KafkaTesting.logger) { reports.append($0) }
        var queueFull: KafkaError?
        for i in 0..<10 {
            do { try producer.send(ProducerRecord(topic: "t", key: nil, value: "\(i)")) } catch { queueFull = error; break }
        }
        #expect(queueFull?.code == .queueFull)
        #expect(queueFull?.isRetriable == true)
        // The queued ones are not lost silently: each reports its failure.
        #expect(await eventually(timeout: .seconds(10)) { reports.count == 5 } == true)
        #expect(reports.all.allSatisfy { $0.error?.code == .messageTimedOut })
        await producer.close()
    }

    @Test("invalid configuration is a clear error that does not echo secrets")
    func invalidConfiguration() throws {
        var config = KafkaProducerConfiguration(bootstrapServers: ["localhost:9092"])
        config.properties["no.such.property"] = "1"
        #expect(throws: KafkaError.self) { try KafkaProducer(configuration: config, logger: KafkaTesting.logger) }
        config.properties = ["sasl.password": "hunter2", "linger.ms": "not-a-number"]
        do {
            _ = try KafkaProducer(configuration: config, logger: KafkaTesting.logger)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("linger.ms"))
            #expect(!error.message.contains("hunter2"))
        }
    }
}
