import Foundation
import Kafka
import Logging
import Pipeline
import Synchronization

/// A source's committed position, as stored in the compacted offsets topic
/// (DESIGN.md: key = source id → `{cursor, config_hash, stream_id, updated_at}`).
public struct CommittedCursor: Codable, Sendable, Equatable {
    public var cursor: String
    public var config_hash: String
    public var stream_id: String
    public var updated_at: String

    public init(cursor: String, configHash: String, streamID: String, updatedAt: Date = Date()) {
        self.cursor = cursor
        self.config_hash = configHash
        self.stream_id = streamID
        self.updated_at = RFC3339.string(updatedAt)
    }
}

/// Reads and writes committed cursors. Writes happen only after the records up to the
/// cursor are delivered (the stream decides when), so a restart after a crash resumes
/// from a position whose records are already in Kafka: at least once.
public final class OffsetStore: Sendable {
    public let topic: String
    private let producer: KafkaProducer
    private let consumerConfiguration: KafkaConsumerConfiguration
    private let follower: CompactedTopicFollower
    private let logger: Logger

    public init(topic: String, bootstrapServers: [String], properties: [String: String] = [:], logger: Logger) throws {
        var producerConfig = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        producerConfig.clientID = "stream-manager-offsets"
        producerConfig.lingerMilliseconds = 0
        producerConfig.properties = properties
        producer = try KafkaProducer(configuration: producerConfig, logger: logger)
        var consumerConfig = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers)
        consumerConfig.clientID = "stream-manager-offsets"
        consumerConfig.properties = properties
        consumerConfiguration = consumerConfig
        follower = CompactedTopicFollower(topic: topic, configuration: consumerConfig, logger: logger)
        self.topic = topic
        self.logger = logger
    }

    /// Starts following the topic; returns every committed cursor, read to its high watermark.
    /// Followed from then on, so `refreshed()` sees what other replicas commit.
    public func load() async throws -> [String: CommittedCursor] {
        try await follower.start()
        return decode(follower.values)
    }

    /// Every committed cursor, including whatever was committed (by any replica) before this call.
    public func refreshed() async throws -> [String: CommittedCursor] {
        try await follower.catchUp()
        return decode(follower.values)
    }

    private func decode(_ values: [String: ConsumerRecord]) -> [String: CommittedCursor] {
        var cursors: [String: CommittedCursor] = [:]
        let decoder = JSONDecoder()
        for (key, record) in values {
            guard let value = record.value, let cursor = try? decoder.decode(CommittedCursor.self, from: Data(value)) else {
                logger.warning("ignoring unreadable offsets record for \(key)")
                continue
            }
            cursors[key] = cursor
        }
        return cursors
    }

    /// Writes a cursor (fire and forget; records of one source keep their order).
    public func commit(sourceID: String, _ cursor: CommittedCursor) {
        guard let data = try? JSONEncoder.sorted.encode(cursor) else { return }
        do {
            try producer.send(ProducerRecord(topic: topic, key: Array(sourceID.utf8), value: Array(data)))
        } catch {
            logger.warning("could not commit the cursor of \(sourceID): \(error)")
        }
    }

    /// Forgets a removed source's cursor (tombstone).
    public func forget(sourceID: String) {
        _ = try? producer.send(ProducerRecord(topic: topic, key: Array(sourceID.utf8), value: nil))
    }

    public func flush(timeout: Duration = .seconds(10)) async throws {
        try await producer.flush(timeout: timeout)
    }

    public func close() async {
        try? await producer.flush(timeout: .seconds(5))
        await producer.close()
        await follower.stop()
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
