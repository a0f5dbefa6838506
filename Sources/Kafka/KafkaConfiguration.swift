/// Typed client settings with documented defaults. They become librdkafka's
/// string map only at the C boundary (`librdkafkaProperties()`), and `properties`
/// passes any other librdkafka setting through (`security.protocol`, `sasl.*`, `ssl.*`, ...).

public enum KafkaCompression: String, Sendable, CaseIterable {
    case none, gzip, snappy, lz4, zstd
}

public enum KafkaAcks: String, Sendable {
    /// Wait for every in-sync replica (required by the idempotent producer).
    case all = "all"
    case leader = "1"
    case none = "0"
}

/// How the producer picks a partition for keyed records without an explicit partition.
public enum KafkaPartitioner: String, Sendable {
    /// The Java client's algorithm: a key lands where Java-based tools put it.
    case murmur2Random = "murmur2_random"
    case murmur2 = "murmur2"
    /// kcat's and librdkafka's historical default.
    case consistentRandom = "consistent_random"
    case fnv1aRandom = "fnv1a_random"
}

public struct KafkaProducerConfiguration: Sendable {
    /// `host:port` pairs.
    public var bootstrapServers: [String]
    public var clientID: String = "stream-manager"
    public var compression: KafkaCompression = .none
    /// `linger.ms`: how long to wait to fill a batch. librdkafka's default is 5.
    public var lingerMilliseconds: Int = 5
    /// `batch.num.messages`: records per batch (nil keeps librdkafka's 10000).
    public var batchRecords: Int? = nil
    public var acks: KafkaAcks = .all
    /// Idempotence keeps order and avoids duplicates across retries.
    public var enableIdempotence: Bool = true
    /// `message.send.max.retries` (nil keeps librdkafka's default, effectively unbounded).
    public var maxRetries: Int? = nil
    /// `retry.backoff.ms`.
    public var retryBackoffMilliseconds: Int = 100
    /// `message.timeout.ms`: a record not delivered by then fails with `_MSG_TIMED_OUT`.
    public var messageTimeoutMilliseconds: Int = 300_000
    /// `queue.buffering.max.messages`: past this, `send` reports queue-full (backpressure).
    public var maxQueuedMessages: Int = 100_000
    public var partitioner: KafkaPartitioner = .murmur2Random
    /// Any other librdkafka property; wins over the typed fields.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: [String]) { self.bootstrapServers = bootstrapServers }

    public func librdkafkaProperties() -> [String: String] {
        var p: [String: String] = [
            "bootstrap.servers": bootstrapServers.joined(separator: ","),
            "client.id": clientID,
            "compression.codec": compression.rawValue,
            "linger.ms": String(lingerMilliseconds),
            "acks": acks.rawValue,
            "enable.idempotence": String(enableIdempotence),
            "retry.backoff.ms": String(retryBackoffMilliseconds),
            "message.timeout.ms": String(messageTimeoutMilliseconds),
            "queue.buffering.max.messages": String(maxQueuedMessages),
            "partitioner": partitioner.rawValue,
        ]
        if let batchRecords { p["batch.num.messages"] = String(batchRecords) }
        if let maxRetries { p["message.send.max.retries"] = String(maxRetries) }
        p.merge(properties) { _, new in new }
        return p
    }
}

public enum KafkaAssignmentStrategy: String, Sendable {
    /// Incremental rebalancing: only the partitions that must move are revoked.
    case cooperativeSticky = "cooperative-sticky"
    case range = "range"
    case roundRobin = "roundrobin"
}

public enum KafkaAutoOffsetReset: String, Sendable {
    case earliest, latest, error
}

public struct KafkaConsumerConfiguration: Sendable {
    public var bootstrapServers: [String]
    public var clientID: String = "stream-manager"
    /// Needed for `subscribe` and commits; nil for pure manual assignment.
    public var groupID: String?
    /// Static membership (`group.instance.id`), nil for dynamic.
    public var groupInstanceID: String?
    public var autoOffsetReset: KafkaAutoOffsetReset = .earliest
    /// Off by default: callers commit what they have processed.
    public var enableAutoCommit: Bool = false
    public var sessionTimeoutMilliseconds: Int = 10_000
    public var heartbeatIntervalMilliseconds: Int = 3_000
    public var assignmentStrategy: KafkaAssignmentStrategy = .cooperativeSticky
    /// Report reaching the end of a partition (used by the compacted-topic reader).
    public var enablePartitionEOF: Bool = false
    /// `fetch.wait.max.ms`: how long the broker may hold a fetch that finds nothing new; nil =
    /// librdkafka's 500 ms. `properties` still override it.
    public var idleFetchWaitMilliseconds: Int?
    public var properties: [String: String] = [:]

    /// An idle fetch wait for readers whose latency users see (config changes, take-overs).
    /// Apache Kafka answers a waiting fetch as soon as a record arrives, but not every broker
    /// does: librdkafka's mock cluster answers only at the deadline, Tansu up to about half of it
    /// late. 40 ms bounds that for 25 idle fetches a second per reader.
    public static let promptIdleFetchWaitMilliseconds = 40

    public init(bootstrapServers: [String], groupID: String? = nil) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
    }

    public func librdkafkaProperties() -> [String: String] {
        var p: [String: String] = [
            "bootstrap.servers": bootstrapServers.joined(separator: ","),
            "client.id": clientID,
            "auto.offset.reset": autoOffsetReset.rawValue,
            "enable.auto.commit": String(enableAutoCommit),
            "session.timeout.ms": String(sessionTimeoutMilliseconds),
            "heartbeat.interval.ms": String(heartbeatIntervalMilliseconds),
            "partition.assignment.strategy": assignmentStrategy.rawValue,
            "enable.partition.eof": String(enablePartitionEOF),
            // Manual assignment never needs the group; librdkafka still wants an id to exist.
            "group.id": groupID ?? "stream-manager-unsubscribed",
        ]
        if let groupInstanceID { p["group.instance.id"] = groupInstanceID }
        if let idleFetchWaitMilliseconds { p["fetch.wait.max.ms"] = String(idleFetchWaitMilliseconds) }
        p.merge(properties) { _, new in new }
        return p
    }
}

/// Settings for admin and metadata calls (no produce, no group).
public struct KafkaAdminConfiguration: Sendable {
    public var bootstrapServers: [String]
    public var clientID: String = "stream-manager-admin"
    public var properties: [String: String] = [:]

    public init(bootstrapServers: [String]) { self.bootstrapServers = bootstrapServers }

    public func librdkafkaProperties() -> [String: String] {
        var p = ["bootstrap.servers": bootstrapServers.joined(separator: ","), "client.id": clientID]
        p.merge(properties) { _, new in new }
        return p
    }
}

extension Array where Element == String {
    /// Splits `a:1,b:2` into servers, as the CLI and config accept both forms.
    public static func bootstrapList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharactersInWhitespace() }.filter { !$0.isEmpty }
    }
}

extension Substring {
    func trimmingCharactersInWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
