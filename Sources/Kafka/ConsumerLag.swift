import BlockingCalls
import CRdKafka
import Logging

public struct PartitionLag: Sendable, Equatable {
    public var partition: Int32
    public var highWatermark: Int64
    /// nil when the group has committed nothing for the partition.
    public var committedOffset: Int64?
    /// Records the group has yet to read (everything retained when nothing is committed).
    public var lag: Int64
}

public struct ConsumerLag: Sendable, Equatable {
    public var topic: String
    public var group: String
    public var partitions: [PartitionLag]
    public var total: Int64 { partitions.reduce(0) { $0 + $1.lag } }
}

/// Consumer lag of a (topic, group) pair: high watermarks minus the group's committed
/// offsets. Uses a consumer that carries the group id but never joins the group.
public final class ConsumerLagQuery: Sendable {
    private let consumer: KafkaConsumer
    private let group: String

    public init(bootstrapServers: [String], group: String, properties: [String: String] = [:],
                logger: Logger) throws(KafkaError) {
        var config = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: group)
        config.clientID = "stream-manager-lag"
        config.properties = properties
        consumer = try KafkaConsumer(configuration: config, logger: logger)
        self.group = group
    }

    public func lag(topic: String, timeout: Duration = .seconds(10)) async throws -> ConsumerLag {
        let handle = consumer.handle
        let ms = timeout.milliseconds
        let partitions = try await BlockingCalls.run { try handle.metadata(topic: topic, timeoutMilliseconds: ms) }
            .first { $0.name == topic }?.partitions ?? []
        let tps = partitions.map { TopicPartition(topic: topic, partition: $0) }
        let committed = try await consumer.committed(tps, timeout: timeout)
        let marks = try await handle.watermarks(topic: topic, partitions: partitions, timeoutMilliseconds: ms)
        var result: [PartitionLag] = []
        for tp in tps {
            guard let (low, high) = marks[tp.partition] else { continue }
            let done = committed[tp] ?? nil
            let lag = max(0, high - (done ?? low))
            result.append(PartitionLag(partition: tp.partition, highWatermark: high, committedOffset: done, lag: lag))
        }
        return ConsumerLag(topic: topic, group: group, partitions: result)
    }

    public func close() async { await consumer.close() }
}
