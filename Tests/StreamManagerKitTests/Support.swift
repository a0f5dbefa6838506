import Foundation
import Kafka
import StreamConfig
import StreamManagerKit
import TestSupport

enum KitSupport {
    static let logger = TestLogging.logger(label: "kit-tests")

    static func generator(topic: String, mode: IngestionMode = .realTime, rate: Double = 0, total: Int = 0,
                          poll: Double = 0.05, maxPerPoll: Int = 100, payload: Int = 120) -> SourceConfig {
        var ingestion = IngestionConfig(mode: mode, pollingIntervalSeconds: poll, maxRecordsPerPoll: maxPerPoll)
        if mode == .continuousStreaming {
            ingestion.bufferSize = 50
            ingestion.bufferFlushIntervalSeconds = 0.1
        }
        if mode == .batch {
            ingestion.batchSize = 100
            ingestion.scheduleIntervalSeconds = 0.2
        }
        return SourceConfig(sourceType: "generator", topic: topic, ingestion: ingestion, rateLimitPerMinute: 0,
                            cacheTTLSeconds: 0,
                            connector: ["rate_per_second": .double(rate), "total_records": .int(total),
                                        "payload_bytes": .int(payload), "key_cardinality": 4])
    }

    static func config(_ cluster: EmbeddedKafkaCluster, sources: [String: SourceConfig],
                       overflow: QueueOverflowStrategy = .block, queueMaxSize: Int = 10_000) -> StreamManagerConfig {
        var kafka = KafkaConfig(bootstrapServers: cluster.bootstrapServers)
        kafka.compressionType = .none
        kafka.lingerMs = 5
        var throttling = ThrottlingConfig()
        throttling.enabled = false
        var manager = ManagerConfig()
        manager.offsetsTopic = "stream-offsets"
        return StreamManagerConfig(kafka: kafka, throttling: throttling, queueMaxSize: queueMaxSize,
                                   queueOverflowStrategy: overflow, manager: manager, sources: sources)
    }

    /// Records a running stream has processed so far.
    static func processed(_ manager: StreamManagerV2, _ streamID: String) -> Int {
        manager.metrics().streams[streamID]?.recordsProcessed ?? 0
    }

    /// The `seq` numbers of generator records in a topic, in partition/offset order.
    static func sequences(_ cluster: EmbeddedKafkaCluster, topic: String, partitions: Int = 4, atLeast count: Int,
                          timeout: Duration = .seconds(20)) async throws -> [Int] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: logger)
        var positions: [TopicPartition: KafkaOffset] = [:]
        for p in 0..<partitions { positions[TopicPartition(topic: topic, partition: Int32(p))] = .beginning }
        try consumer.assign(positions)
        var seqs: [Int] = []
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var quietSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let batch = try await consumer.poll(maxRecords: 1_000, timeout: .milliseconds(200))
            for r in batch.records {
                if let v = r.value, let obj = try? JSONSerialization.jsonObject(with: Data(v)) as? [String: Any],
                   let seq = obj["seq"] as? Int { seqs.append(seq) }
            }
            if !batch.records.isEmpty { quietSince = .now }
            if seqs.count >= count && ContinuousClock.now - quietSince > .milliseconds(500) { break }
        }
        await consumer.close()
        return seqs
    }
}
