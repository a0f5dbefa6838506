import Foundation
import Kafka
import StreamConfig

extension KafkaProducerConfiguration {
    /// The data producer's settings from the `kafka:` section, clamped into `SettingBounds`
    /// first (a config built in code may not have been validated). `${ENV}` references in
    /// `kafka.properties` (SASL passwords) are resolved here, at use.
    public init(_ config: KafkaConfig, bootstrapServers: [String],
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(EnvReferenceError) {
        let k = config.clampedToBounds()
        self.init(bootstrapServers: bootstrapServers)
        clientID = k.clientID
        compression = KafkaCompression(k.compressionType)
        lingerMilliseconds = k.lingerMs
        batchRecords = k.batchSize
        maxQueuedMessages = Self.producerQueueRecords(batchSize: k.batchSize)
        // Records wait for the brokers however long they are away (the queue's backpressure stops
        // ingestion meanwhile) instead of timing out into failures: an outage must not lose data.
        // `kafka.properties` may still set `message.timeout.ms`.
        messageTimeoutMilliseconds = 0
        properties = try k.resolvedProperties(environment: environment)
    }
}

extension KafkaProducerConfiguration {
    /// Records the data producer holds beyond the priority queue: 20 batches, at least 10,000,
    /// at most librdkafka's default 100,000. Records wait in the priority queue — bounded by
    /// `queue_max_size`/`queue_max_bytes`, where priorities apply — rather than in librdkafka's,
    /// which holds a copy of each; 20 batches keep the brokers busy (bench/RESULTS.md: the same
    /// throughput, a third less peak memory in a burst). `kafka.properties` may set
    /// `queue.buffering.max.messages` itself.
    public static func producerQueueRecords(batchSize: Int) -> Int {
        min(100_000, max(10_000, batchSize.multipliedReportingOverflow(by: 20).partialValue))
    }
}

extension KafkaCompression {
    /// The client's codec for `kafka.compression_type`.
    public init(_ type: CompressionType) {
        switch type {
        case .none: self = .none
        case .gzip: self = .gzip
        case .snappy: self = .snappy
        case .lz4: self = .lz4
        case .zstd: self = .zstd
        }
    }
}

extension CompressionType {
    /// The config's word for a client codec (the V1 API takes a producer configuration).
    public init(_ compression: KafkaCompression) {
        switch compression {
        case .none: self = .none
        case .gzip: self = .gzip
        case .snappy: self = .snappy
        case .lz4: self = .lz4
        case .zstd: self = .zstd
        }
    }
}
