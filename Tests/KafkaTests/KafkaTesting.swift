import Foundation
import Kafka
import TestSupport

/// What the Kafka client tests share: a logger, unique topic names, reading a topic back.
enum KafkaTesting {
    static let logger = TestLogging.logger(label: "kafka-tests")

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Polls until `count` records arrived or the deadline passes.
    static func consume(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(20)) async throws -> [ConsumerRecord] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var records: [ConsumerRecord] = []
        while records.count < count && ContinuousClock.now < deadline {
            records += try await consumer.poll(maxRecords: 1_000, timeout: .milliseconds(200)).records
        }
        return records
    }

    static func readAll(bootstrap: [String], topic: String, partitions: Int, count: Int,
                        timeout: Duration = .seconds(20)) async throws -> [ConsumerRecord] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap), logger: logger)
        var positions: [TopicPartition: KafkaOffset] = [:]
        for p in 0..<partitions { positions[TopicPartition(topic: topic, partition: Int32(p))] = .beginning }
        try consumer.assign(positions)
        let records = try await consume(consumer, count: count, timeout: timeout)
        await consumer.close()
        return records
    }
}
