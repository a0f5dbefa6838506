import Foundation
import Kafka
import Logging
import Pipeline
import ServiceLifecycle
import StreamConfig
import Synchronization

/// A source's committed position, as stored in the compacted offsets topic: key = source id →
/// `{cursor, config_hash, config, config_version, stream_id, updated_at}`. `cursor` is null until
/// the stream's first delivery. `config` is the accepted source entry the stream runs (its settings
/// that differ from the defaults, `${ENV}` references as written) and `config_version` where it
/// came from: a manager that restarts, or takes the source over, keeps running it when the newest
/// config record is refused.
public struct CommittedCursor: Sendable, Equatable {
    public var cursor: String?
    public var configHash: String
    public var streamID: String
    public var updatedAt: String
    /// The accepted source config as compact JSON (nil in records written before it existed).
    public var config: String?
    public var configVersion: String?

    public init(cursor: String?, configHash: String, streamID: String, config: String? = nil,
                configVersion: String? = nil, updatedAt: Date = Date()) {
        self.cursor = cursor
        self.configHash = configHash
        self.streamID = streamID
        self.config = config
        self.configVersion = configVersion
        self.updatedAt = RFC3339.string(updatedAt)
    }

    /// The record value; `config` is embedded as a JSON object.
    public func json() -> [UInt8] {
        func quoted(_ s: String?) -> String { s.map(CanonicalJSON.quoted) ?? "null" }
        let text = "{\"config\":\(config ?? "null"),\"config_hash\":\(quoted(configHash)),"
            + "\"config_version\":\(quoted(configVersion)),\"cursor\":\(quoted(cursor)),"
            + "\"stream_id\":\(quoted(streamID)),\"updated_at\":\(quoted(updatedAt))}"
        return Array(text.utf8)
    }

    /// Reads a record value; nil when it is not one.
    public init?(json bytes: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let hash = object["config_hash"] as? String, let stream = object["stream_id"] as? String else { return nil }
        let cursor = object["cursor"]
        guard cursor is NSNull || cursor is String || cursor == nil else { return nil }
        self.cursor = cursor as? String
        configHash = hash
        streamID = stream
        updatedAt = object["updated_at"] as? String ?? ""
        configVersion = object["config_version"] as? String
        if let embedded = object["config"], !(embedded is NSNull),
           let data = try? SortedJSON.data(embedded) {
            config = String(decoding: data, as: UTF8.self)
        } else {
            config = nil
        }
    }
}

/// Reads and writes committed cursors. Writes happen only after the records up to the
/// cursor are delivered (the stream decides when), so a restart after a crash resumes
/// from a position whose records are already in Kafka: at least once. `load()` reads the topic;
/// `run()` (a `Service`) follows it, so `refreshed()` sees what other replicas commit.
public final class OffsetStore: Service, Sendable {
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
        // A replica taking sources over waits until this follower has read the cursors their last
        // owner committed: librdkafka's 500 ms idle wait would be added to every take-over.
        consumerConfig.idleFetchWaitMilliseconds = KafkaConsumerConfiguration.promptIdleFetchWaitMilliseconds
        consumerConfiguration = consumerConfig
        follower = CompactedTopicFollower(topic: topic, configuration: consumerConfig, logger: logger)
        self.topic = topic
        self.logger = logger
    }

    /// Every committed cursor, read to the topic's high watermark.
    public func load() async throws -> [String: CommittedCursor] {
        try await follower.start()
        return decode(follower.values)
    }

    /// Follows the topic until graceful shutdown or cancellation.
    public func run() async { await follower.run() }

    /// Every committed cursor, including whatever was committed (by any replica) before this call
    /// (read by `run()`).
    public func refreshed() async throws -> [String: CommittedCursor] {
        try await follower.catchUp()
        return decode(follower.values)
    }

    /// A source's record as read so far (by `load()` and `run()`), without waiting for the topic's
    /// end; nil when absent, tombstoned or unreadable.
    public func latest(sourceID: String) -> CommittedCursor? {
        follower.value(forKey: sourceID)?.value.flatMap { CommittedCursor(json: $0) }
    }

    private func decode(_ values: [String: ConsumerRecord]) -> [String: CommittedCursor] {
        Self.cursors(values, logger: logger)
    }

    /// The offsets topic's records, folded by key, as cursors; unreadable ones are logged and skipped.
    public static func cursors(_ values: [String: ConsumerRecord], logger: Logger) -> [String: CommittedCursor] {
        var cursors: [String: CommittedCursor] = [:]
        for (key, record) in values {
            guard let value = record.value, let cursor = CommittedCursor(json: value) else {
                logger.warning("ignoring unreadable offsets record for \(key)")
                continue
            }
            cursors[key] = cursor
        }
        return cursors
    }

    /// Writes a cursor (fire and forget; records of one source keep their order).
    public func commit(sourceID: String, _ cursor: CommittedCursor) {
        do {
            try producer.send(ProducerRecord(topic: topic, key: Array(sourceID.utf8), value: cursor.json()))
        } catch {
            logger.warning("could not commit the cursor of \(sourceID): \(error)")
        }
    }

    /// Writes a source's record, or its tombstone when `cursor` is nil, and returns once Kafka has
    /// it: for a cursor edited by hand (`offsets set`, `offsets reset`), which must not be reported
    /// written before it is.
    public func write(sourceID: String, _ cursor: CommittedCursor?) async throws {
        _ = try await producer.sendAndWait(ProducerRecord(topic: topic, key: Array(sourceID.utf8), value: cursor?.json()))
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
