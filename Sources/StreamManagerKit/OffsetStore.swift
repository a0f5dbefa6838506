import Foundation
import Kafka
import Logging
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
        self.topic = topic
        self.logger = logger
    }

    /// Every committed cursor, read to the topic's high watermark.
    public func load() async throws -> [String: CommittedCursor] {
        let reader = CompactedTopicReader(topic: topic, configuration: consumerConfiguration, logger: logger)
        let (values, _) = try await reader.snapshot()
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
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-29T14:30:22.123Z` (the status topic's format).
public enum RFC3339 {
    public static func string(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = ms / 1000, millis = Int(ms % 1000)
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1,
                      Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), millis)
    }
}
