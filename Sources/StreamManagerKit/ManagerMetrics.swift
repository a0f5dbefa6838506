import Pipeline

/// The metrics tree (`metrics()`, also `GET /status`).
public struct ManagerMetrics: Sendable, Codable, Equatable {
    public struct Manager: Sendable, Codable, Equatable {
        public var activeStreams: Int
        public var isStarted: Bool

        enum CodingKeys: String, CodingKey {
            case activeStreams = "active_streams"
            case isStarted = "is_started"
        }
    }
    public var streamManager: Manager
    public var producer: ProducerMetricsSnapshot
    public var queue: PriorityQueueMetrics
    public var throttling: ThrottleMetrics
    public var topicResolver: TopicResolverMetrics
    public var streams: [String: StreamMetrics]
    /// The DLQ re-driver's counters; nil when it is off.
    public var dlqRedrive: DeadLetterRedriveMetrics?

    enum CodingKeys: String, CodingKey {
        case streamManager = "stream_manager"
        case producer
        case queue
        case throttling
        case topicResolver = "topic_resolver"
        case streams
        case dlqRedrive = "dlq_redrive"
    }
}

public struct ModeMetrics: Sendable, Codable, Equatable {
    public var recordsProcessed: Int
    public var errors: Int
    public var uptimeSeconds: Int

    enum CodingKeys: String, CodingKey {
        case recordsProcessed = "records_processed"
        case errors
        case uptimeSeconds = "uptime_seconds"
    }
}

public struct StreamMetrics: Sendable, Codable, Equatable {
    public var sourceID: String
    public var modeName: String
    public var mode: ModeMetrics
    public var apiClient: FetchPolicyMetrics
    public var recordsProcessed: Int
    public var recordsFailed: Int
    /// Records queued or in flight whose outcome is not in yet.
    public var pendingRecords: Int
    /// The last committed cursor.
    public var cursor: String?
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case modeName = "mode_name"
        case mode
        case apiClient = "api_client"
        case recordsProcessed = "records_processed"
        case recordsFailed = "records_failed"
        case pendingRecords = "pending_records"
        case cursor
        case lastError = "last_error"
    }
}

/// `healthCheck()`.
public struct HealthReport: Sendable, Codable, Equatable {
    public struct Producer: Sendable, Codable, Equatable {
        public var healthy: Bool
        public var kafkaConnected: Bool
        public var lastError: String?

        enum CodingKeys: String, CodingKey {
            case healthy
            case kafkaConnected = "kafka_connected"
            case lastError = "last_error"
        }
    }
    public struct Queue: Sendable, Codable, Equatable {
        public var healthy: Bool
        public var size: Int
        public var utilizationPercent: Double

        enum CodingKeys: String, CodingKey {
            case healthy
            case size
            case utilizationPercent = "utilization_percent"
        }
    }
    public struct Streams: Sendable, Codable, Equatable {
        public var activeCount: Int
        public var healthy: Bool

        enum CodingKeys: String, CodingKey {
            case activeCount = "active_count"
            case healthy
        }
    }
    public struct Components: Sendable, Codable, Equatable {
        public var producer: Producer
        public var queue: Queue
        public var streams: Streams
    }
    public var healthy: Bool
    public var components: Components
}
