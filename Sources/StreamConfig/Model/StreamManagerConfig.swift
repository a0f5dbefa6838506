/// A whole config file: the V1 sections plus `manager` and `topic_routing`.
///
/// Built three ways with one result: `ConfigLoader` from YAML or JSON, or in Swift:
/// `StreamManagerConfig(kafka: KafkaConfig(...), sources: ["noaa": SourceConfig(...)])`.
public struct StreamManagerConfig: Sendable, Hashable {
    public var kafka: KafkaConfig
    public var throttling: ThrottlingConfig
    /// `queue_max_size`: records the shared priority queue holds.
    public var queueMaxSize: Int
    /// `queue_max_bytes`: bytes the queue holds; 0 = no byte limit.
    public var queueMaxBytes: Int
    public var queueOverflowStrategy: QueueOverflowStrategy
    /// `enable_dlq`: send records that fail for good to a dead-letter topic.
    public var enableDLQ: Bool
    public var dlqRedrive: DLQRedriveConfig
    public var manager: ManagerConfig
    public var topicRouting: TopicRoutingConfig
    /// Source id → source.
    public var sources: [String: SourceConfig]
    /// `budgets`: name → a request budget the sources share fleet-wide.
    public var budgets: [String: BudgetConfig]

    public static let defaultQueueMaxSize = 10_000
    public static let defaultQueueMaxBytes = 64 * 1024 * 1024

    public init(kafka: KafkaConfig = KafkaConfig(),
                throttling: ThrottlingConfig = ThrottlingConfig(),
                queueMaxSize: Int = StreamManagerConfig.defaultQueueMaxSize,
                queueMaxBytes: Int = StreamManagerConfig.defaultQueueMaxBytes,
                queueOverflowStrategy: QueueOverflowStrategy = .block,
                enableDLQ: Bool = true,
                dlqRedrive: DLQRedriveConfig = DLQRedriveConfig(),
                manager: ManagerConfig = ManagerConfig(),
                topicRouting: TopicRoutingConfig = TopicRoutingConfig(),
                sources: [String: SourceConfig] = [:],
                budgets: [String: BudgetConfig] = [:]) {
        self.kafka = kafka
        self.throttling = throttling
        self.queueMaxSize = queueMaxSize
        self.queueMaxBytes = queueMaxBytes
        self.queueOverflowStrategy = queueOverflowStrategy
        self.enableDLQ = enableDLQ
        self.dlqRedrive = dlqRedrive
        self.manager = manager
        self.topicRouting = topicRouting
        self.sources = sources
        self.budgets = budgets
    }

    /// The source to start, with V1's errors: `Source not configured: <id>` and
    /// `Source is disabled: <id>`.
    public func enabledSource(_ id: String) throws(ConfigError) -> SourceConfig {
        guard let source = sources[id] else { throw .sourceNotConfigured(id: id) }
        guard source.enabled else { throw .sourceDisabled(id: id) }
        return source
    }
}
