import Pipeline

/// The metrics tree (`metrics()`, also `GET /status`).
public struct ManagerMetrics: Sendable, Codable, Equatable {
    public struct Manager: Sendable, Codable, Equatable {
        public var active_streams: Int
        public var is_started: Bool
    }
    public var stream_manager: Manager
    public var producer: ProducerMetricsSnapshot
    public var queue: PriorityQueueMetrics
    public var throttling: ThrottleMetrics
    public var topic_resolver: TopicResolverMetrics
    public var streams: [String: StreamMetrics]
    /// The DLQ re-driver's counters; nil when it is off.
    public var dlq_redrive: DeadLetterRedriveMetrics?
}

public struct ModeMetrics: Sendable, Codable, Equatable {
    public var records_processed: Int
    public var errors: Int
    public var uptime_seconds: Int
}

public struct StreamMetrics: Sendable, Codable, Equatable {
    public var source_id: String
    public var mode_name: String
    public var mode: ModeMetrics
    public var api_client: FetchPolicyMetrics
    public var records_processed: Int
    public var records_failed: Int
    /// Records queued or in flight whose outcome is not in yet.
    public var pending_records: Int
    /// The last committed cursor.
    public var cursor: String?
    public var last_error: String?
}

/// `healthCheck()`.
public struct HealthReport: Sendable, Codable, Equatable {
    public struct Producer: Sendable, Codable, Equatable {
        public var healthy: Bool
        public var kafka_connected: Bool
        public var last_error: String?
    }
    public struct Queue: Sendable, Codable, Equatable {
        public var healthy: Bool
        public var size: Int
        public var utilization_percent: Double
    }
    public struct Streams: Sendable, Codable, Equatable {
        public var active_count: Int
        public var healthy: Bool
    }
    public struct Components: Sendable, Codable, Equatable {
        public var producer: Producer
        public var queue: Queue
        public var streams: Streams
    }
    public var healthy: Bool
    public var components: Components
}
