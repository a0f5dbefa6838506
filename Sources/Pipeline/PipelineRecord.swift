import Kafka

/// The four priority levels of the manager-wide queue; lower raw value is served first.
public enum RecordPriority: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case critical = 0, high, normal, low

    public init?(name: String) {
        switch name.lowercased() {
        case "critical": self = .critical
        case "high": self = .high
        case "normal": self = .normal
        case "low": self = .low
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .critical: "critical"
        case .high: "high"
        case .normal: "normal"
        case .low: "low"
        }
    }

    public var description: String { name.uppercased() }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One record on its way from a connector to Kafka.
public struct PipelineRecord: Sendable, Equatable {
    public var sourceID: String
    /// The stream that produced it (a source has a new stream id after each restart).
    public var streamID: String
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    public var priority: RecordPriority
    /// Destination topic, set by the topic resolver before the record is queued.
    public var topic: String
    /// Position of the record within its stream (monotonic), so the stream can tell
    /// which cursor is safe to commit once everything before it has been delivered.
    public var sequence: UInt64
    public var eventTimeMilliseconds: Int64?

    public init(sourceID: String, streamID: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [],
                priority: RecordPriority = .normal, topic: String = "", sequence: UInt64 = 0,
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
