/// The closed sets of words the config accepts. Raw values are the spelling in YAML/JSON.

/// Producer compression (`kafka.compression_type`).
public enum CompressionType: String, Sendable, Hashable, CaseIterable {
    case none, gzip, snappy, lz4, zstd
}

/// What the shared priority queue does when full (`queue_overflow_strategy`).
public enum QueueOverflowStrategy: String, Sendable, Hashable, CaseIterable {
    /// Evict the oldest record of the lowest non-empty level, unless that record is more
    /// important than the incoming one: then the incoming record is dropped instead.
    case dropOldest = "drop_oldest"
    /// Refuse the incoming record.
    case dropNewest = "drop_newest"
    /// Suspend the enqueuing task until there is room; nothing is dropped.
    case block
}

/// A source's share of the priority queue (`sources.<id>.priority`), most urgent first.
/// The pipeline's queue serves the levels in this order and compares records by it.
public enum SourcePriority: String, Sendable, Hashable, CaseIterable, Comparable {
    case critical, high, normal, low

    /// 0 for `critical` up to 3 for `low`: the position in `allCases`, without a search (the
    /// queue and the topic resolver compare priorities once per record).
    public var rank: Int {
        switch self {
        case .critical: 0
        case .high: 1
        case .normal: 2
        case .low: 3
        }
    }

    public static func < (lhs: SourcePriority, rhs: SourcePriority) -> Bool { lhs.rank < rhs.rank }
}

/// How a source is fetched (`sources.<id>.ingestion.mode`).
public enum IngestionMode: String, Sendable, Hashable, CaseIterable {
    /// On a schedule (`schedule_interval_seconds`), in chunks of `batch_size`.
    case batch
    /// Poll every `polling_interval_seconds`, up to `max_records_per_poll` each time.
    case realTime = "real_time"
    /// Poll frequently and buffer (`buffer_size`, `buffer_flush_interval_seconds`).
    case continuousStreaming = "continuous_streaming"
}

/// What a routing pattern's glob is matched against (`topic_routing.patterns[].on`).
public enum PatternTarget: String, Sendable, Hashable, CaseIterable {
    case sourceID = "source_id"
    case sourceType = "source_type"
}

/// Whether unknown keys block a config. `validate` and `apply` reject them; the running
/// operator only warns, so a fleet mid-upgrade accepts records written by a newer version.
public enum UnknownKeyPolicy: String, Sendable, Hashable, CaseIterable {
    case error
    case warning

    var severity: Severity { self == .error ? .error : .warning }
}
