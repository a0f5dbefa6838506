/// One source entry: the value of `sources.<id>` in a file, or of one config-topic record.
///
/// The source id is not part of the value: it is the key under `sources:` (or the record
/// key), so renaming a source is a remove plus an add, and the hash ignores the id.
public struct SourceConfig: Sendable, Hashable {
    /// `source_type`: which connector runs it (`noaa_weather`, `generator`, ...).
    public var sourceType: String
    public var enabled: Bool
    /// `topic`: where records go; nil = decided by `topic_routing`.
    public var topic: String?
    public var priority: SourcePriority
    public var ingestion: IngestionConfig
    /// `rate_limit_per_minute`: fetches per minute the fetch policy allows; 0 = unlimited.
    public var rateLimitPerMinute: Int
    /// `timeout_seconds`: per fetch.
    public var timeoutSeconds: Double
    /// `cache_ttl_seconds`: how long an identical fetch is answered from cache; 0 = no cache.
    public var cacheTTLSeconds: Double
    /// `max_retries`: fetch retries (exponential backoff) before a poll counts as failed.
    public var maxRetries: Int
    /// `dlq_topic`: where failed records go; nil = `<topic>.dlq`.
    public var dlqTopic: String?
    /// `connector`: the source type's own settings, checked by its registered schema.
    public var connector: ConfigObject
    /// `budget`: the fleet-wide request budget (`budgets.<name>`) its fetches count against;
    /// nil = none named (a budget covering its API host still applies).
    public var budget: String?

    public static let defaultRateLimitPerMinute = 60
    public static let defaultTimeoutSeconds: Double = 30
    public static let defaultCacheTTLSeconds: Double = 60
    public static let defaultMaxRetries = 3

    public init(sourceType: String,
                enabled: Bool = true,
                topic: String? = nil,
                priority: SourcePriority = .normal,
                ingestion: IngestionConfig = IngestionConfig(),
                rateLimitPerMinute: Int = SourceConfig.defaultRateLimitPerMinute,
                timeoutSeconds: Double = SourceConfig.defaultTimeoutSeconds,
                cacheTTLSeconds: Double = SourceConfig.defaultCacheTTLSeconds,
                maxRetries: Int = SourceConfig.defaultMaxRetries,
                dlqTopic: String? = nil,
                connector: ConfigObject = [:],
                budget: String? = nil) {
        self.sourceType = sourceType
        self.enabled = enabled
        self.topic = topic
        self.priority = priority
        self.ingestion = ingestion
        self.rateLimitPerMinute = rateLimitPerMinute
        self.timeoutSeconds = timeoutSeconds
        self.cacheTTLSeconds = cacheTTLSeconds
        self.maxRetries = maxRetries
        self.dlqTopic = dlqTopic
        self.connector = connector
        self.budget = budget
    }
}
