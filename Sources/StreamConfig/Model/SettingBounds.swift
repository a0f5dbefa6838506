/// The range of every numeric setting, in one table: the validator checks these, the
/// mapping to the pipeline clamps to these, docs/configuration.md prints these (a test
/// compares them).
///
/// The limits are generous for real use and small enough that nothing computed from them
/// overflows: durations stay far inside `Duration` and `Int64` milliseconds, counts and
/// sizes inside what one process can allocate, and intervals long enough not to busy-loop.
public enum SettingBounds {
    static let year: Double = 31_536_000
    static let day: Double = 86_400

    // MARK: manager-wide settings (paths from the document root)

    public static let queueMaxSize = NumericBound("queue_max_size", 1...10_000_000, integer: true, unit: "records")
    /// 16 GiB; 0 = no byte limit.
    public static let queueMaxBytes = NumericBound("queue_max_bytes", 0...17_179_869_184, integer: true, unit: "bytes")

    /// librdkafka's own limits for `batch.num.messages` and `linger.ms`.
    public static let kafkaBatchSize = NumericBound("kafka.batch_size", 1...1_000_000, integer: true, unit: "records")
    public static let kafkaLingerMs = NumericBound("kafka.linger_ms", 0...900_000, integer: true, unit: "ms")
    public static let kafkaMaxRetries = NumericBound("kafka.max_retries", 0...100, integer: true)
    public static let kafkaRetryBackoffBase = NumericBound("kafka.retry_backoff_base", 0.001...3_600, unit: "seconds")

    public static let minSendRate = NumericBound("throttling.min_send_rate", 0.001...1e9, unit: "records per second")
    public static let maxSendRate = NumericBound("throttling.max_send_rate", 0.001...1e9, unit: "records per second",
                                                 zeroMeans: "no ceiling")
    public static let targetConsumerLag = NumericBound("throttling.target_consumer_lag", 0...1e12, integer: true, unit: "records")
    public static let criticalConsumerLag = NumericBound("throttling.critical_consumer_lag", 1...1e12, integer: true, unit: "records")
    /// Above 1 by a margin, so a backoff reaches its ceiling in a few dozen steps.
    public static let adjustmentFactor = NumericBound("throttling.adjustment_factor", 1.01...100)
    public static let recoveryCycles = NumericBound("throttling.recovery_cycles", 1...10_000, integer: true)

    public static let redriveDelay = NumericBound("dlq_redrive.delay_seconds", 0...year, unit: "seconds")
    public static let maxRedrives = NumericBound("dlq_redrive.max_redrives", 0...1_000, integer: true)

    public static let configTopicPartitions = NumericBound("manager.config_topic_partitions", 1...10_000, integer: true)
    public static let sessionTimeoutMs = NumericBound("manager.session_timeout_ms", 1...3_600_000, integer: true, unit: "ms")
    public static let statusInterval = NumericBound("manager.status_interval_seconds", 0.1...day, unit: "seconds")
    public static let httpPort = NumericBound("manager.http_port", 0...65_535, integer: true)
    public static let brokerUnavailable = NumericBound("manager.broker_unavailable_seconds", 1...day, unit: "seconds")
    public static let restartAfterFailures = NumericBound("manager.restart_after_failures", 1...1_000_000, integer: true,
                                                          unit: "failed fetches in a row",
                                                          zeroMeans: "never restart for failing fetches")

    /// Every manager-wide numeric setting.
    public static let manager: [NumericBound] = [
        queueMaxSize, queueMaxBytes,
        kafkaBatchSize, kafkaLingerMs, kafkaMaxRetries, kafkaRetryBackoffBase,
        minSendRate, maxSendRate, targetConsumerLag, criticalConsumerLag, adjustmentFactor, recoveryCycles,
        redriveDelay, maxRedrives,
        configTopicPartitions, sessionTimeoutMs, statusInterval, httpPort, brokerUnavailable, restartAfterFailures,
    ]

    /// The manager-wide setting at `path` (paths from the document root), if it is numeric.
    public static func manager(at path: String) -> NumericBound? { managerByKey[path] }

    private static let managerByKey = Dictionary(uniqueKeysWithValues: manager.map { ($0.key, $0) })

    // MARK: budgets (paths from `budgets.<name>`)

    /// Bounded so that a budget's slot table (one entry per request of an interval) stays small.
    public static let budgetRequests = NumericBound("requests", 1...100_000, integer: true, unit: "requests")
    public static let budgetInterval = NumericBound("interval_seconds", 1...day, unit: "seconds")

    // MARK: source settings (paths from the source entry)

    /// 0 = unlimited.
    public static let rateLimitPerMinute = NumericBound("rate_limit_per_minute", 0...1_000_000, integer: true, unit: "fetches per minute")
    public static let timeout = NumericBound("timeout_seconds", 0.01...3_600, unit: "seconds")
    /// 0 = no cache.
    public static let cacheTTL = NumericBound("cache_ttl_seconds", 0...day, unit: "seconds")
    public static let maxRetries = NumericBound("max_retries", 0...100, integer: true)

    /// At least 10 ms, so a stream cannot spin a core polling.
    public static let pollingInterval = NumericBound("ingestion.polling_interval_seconds", 0.01...year, unit: "seconds")
    public static let maxRecordsPerPoll = NumericBound("ingestion.max_records_per_poll", 1...1_000_000, integer: true, unit: "records")
    public static let bufferSize = NumericBound("ingestion.buffer_size", 1...1_000_000, integer: true, unit: "records")
    public static let bufferFlushInterval = NumericBound("ingestion.buffer_flush_interval_seconds", 0.01...day, unit: "seconds")
    public static let batchSize = NumericBound("ingestion.batch_size", 1...1_000_000, integer: true, unit: "records")
    public static let scheduleInterval = NumericBound("ingestion.schedule_interval_seconds", 0.01...year, unit: "seconds")

    /// Every numeric setting of a source entry (outside `connector`).
    public static let source: [NumericBound] = [
        rateLimitPerMinute, timeout, cacheTTL, maxRetries,
        pollingInterval, maxRecordsPerPoll, bufferSize, bufferFlushInterval, batchSize, scheduleInterval,
    ]

    // MARK: connector settings of the built-in types (paths from `connector`)

    /// `generator`: its schema checks these and the connector clamps to them.
    public enum Generator {
        /// 0 = as fast as the pipeline takes them.
        public static let ratePerSecond = NumericBound("rate_per_second", 0...1e9, unit: "records per second")
        /// 0 = endless.
        public static let totalRecords = NumericBound("total_records", 0...1e15, integer: true, unit: "records")
        /// 1 MiB: Kafka's default largest message.
        public static let payloadBytes = NumericBound("payload_bytes", 0...1_048_576, integer: true, unit: "bytes")
        public static let keyCardinality = NumericBound("key_cardinality", 1...1e9, integer: true, unit: "keys")
    }

    /// `nasa_firms`: FIRMS serves at most 10 days per request.
    public static let firmsDayRange = NumericBound("day_range", 1...10, integer: true, unit: "days")
}
