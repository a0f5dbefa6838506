import Kafka
import Logging
import Pipeline
import StreamConfig

/// V1's streaming config: one source polled in real time.
public struct StreamingConfig: Sendable, Equatable {
    public var sourceID: String
    public var pollingIntervalSeconds: Double
    public var maxRecordsPerPoll: Int
    /// nil: `topic_routing.fallback_topic` of the default config.
    public var topic: String?

    public init(sourceID: String, pollingIntervalSeconds: Double = 60, maxRecordsPerPoll: Int = 1_000, topic: String? = nil) {
        self.sourceID = sourceID
        self.pollingIntervalSeconds = pollingIntervalSeconds
        self.maxRecordsPerPoll = maxRecordsPerPoll
        self.topic = topic
    }
}

/// The V1 API kept working on top of V2: `StreamManagerV1(producer:)` and
/// `startStreaming(connector:config:)`. Under the hood it builds a default
/// `StreamManagerConfig`, turns each `StreamingConfig` into a real-time `SourceConfig`, and
/// runs it through the full V2 pipeline. Stream ids have the same format as V2's.
public final class StreamManagerV1: Sendable {
    private let manager: StreamManagerV2

    public init(producer: KafkaProducerConfiguration, logger: Logger = Logger(label: "stream-manager-v1")) {
        var kafka = KafkaConfig(bootstrapServers: producer.bootstrapServers.joined(separator: ","))
        kafka.clientID = producer.clientID
        kafka.compressionType = CompressionType(producer.compression)
        kafka.lingerMs = producer.lingerMilliseconds
        kafka.properties = producer.properties
        manager = StreamManagerV2(config: StreamManagerConfig(kafka: kafka), bootstrapServers: producer.bootstrapServers,
                                  logger: logger)
    }

    /// Starts streaming from `connector` (V1 had no config file: the source is defined here).
    public func startStreaming(connector: any SourceConnector, config: StreamingConfig) async throws -> String {
        try await manager.start()
        let source = SourceConfig(sourceType: "v1_connector", topic: config.topic,
                                  ingestion: IngestionConfig(mode: .realTime, pollingIntervalSeconds: config.pollingIntervalSeconds,
                                                             maxRecordsPerPoll: config.maxRecordsPerPoll),
                                  rateLimitPerMinute: 0)
        _ = try await manager.reconfigureStream(sourceID: config.sourceID, to: source, connector: connector)
        guard let streamID = manager.runningSources[config.sourceID] else {
            throw StreamRuntimeError.streamNotFound(config.sourceID)
        }
        return streamID
    }

    public func stopStreaming(_ streamID: String) async throws {
        try await manager.stopStream(streamID)
    }

    /// V1's metric: how many records were sent.
    public func getMetrics() -> [String: Int] {
        ["messages_sent": manager.metrics().producer.totalSent]
    }

    public var activeStreams: [String] { manager.activeStreams }

    public func stop() async { await manager.stop() }

    /// The V2 manager underneath, for callers migrating step by step.
    public var v2: StreamManagerV2 { manager }
}
