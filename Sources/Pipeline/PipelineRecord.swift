import Kafka
import StreamConfig

/// One record on its way from a connector to Kafka.
public struct PipelineRecord: Sendable, Equatable {
    public var sourceID: String
    /// The stream that produced it (a source has a new stream id after each restart).
    public var streamID: String
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// Its level in the manager-wide queue: the source's `priority`, or what a content rule raised it to.
    public var priority: SourcePriority
    /// Destination topic, set by the topic resolver before the record is queued.
    public var topic: String
    /// Position of the record within its stream (monotonic), so the stream can tell
    /// which cursor is safe to commit once everything before it has been delivered.
    public var sequence: UInt64
    public var eventTimeMilliseconds: Int64?

    public init(sourceID: String, streamID: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [],
                priority: SourcePriority = .normal, topic: String = "", sequence: UInt64 = 0,
                eventTimeMilliseconds: Int64? = nil) {
        self.sourceID = sourceID
        self.streamID = streamID
        self.key = key
        self.value = value
        self.headers = headers
        self.priority = priority
        self.topic = topic
        self.sequence = sequence
        self.eventTimeMilliseconds = eventTimeMilliseconds
    }

    /// Bytes the record holds, for the queue's byte bound.
    public var byteCount: Int {
        var n = value.count + (key?.count ?? 0)
        for h in headers { n += h.key.utf8.count + (h.value?.count ?? 0) }
        return n
    }
}
