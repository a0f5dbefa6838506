/// The `manager:` section: the operator's own topics, group membership and endpoints.
public struct ManagerConfig: Sendable, Hashable {
    /// `config_topic`: compacted topic of desired source configs (key = source id).
    public var configTopic: String
    /// `status_topic`: compacted topic of per-source status and manager heartbeats.
    public var statusTopic: String
    /// `offsets_topic`: compacted topic of committed source cursors.
    public var offsetsTopic: String
    /// `config_topic_partitions`: used when the manager creates the config topic.
    public var configTopicPartitions: Int
    /// `group_id`: consumer group the replicas share sources through.
    public var groupID: String
    /// `session_timeout_ms`: how fast a dead replica's sources move elsewhere.
    public var sessionTimeoutMs: Int
    /// `instance_id`: this replica's name; nil = `$HOSTNAME` where the manager runs.
    public var instanceID: String?
    /// `status_interval_seconds`: period of status and heartbeat records.
    public var statusIntervalSeconds: Double
    /// `http_port`: health, metrics and status endpoints; 0 picks a free port.
    public var httpPort: Int
    /// `broker_unavailable_seconds`: how long the brokers may be unreachable before `/readyz`
    /// fails (streams show DEGRADED as soon as it is noticed).
    public var brokerUnavailableSeconds: Double
    /// `restart_after_failures`: a stream whose fetches fail this many times in a row is
    /// restarted (new connector, same cursor); 0 = never restarted for failing fetches.
    public var restartAfterFailures: Int
    /// `source_access`: the allow-lists of what sources may read (environment, URLs, files).
    /// Only from the operator's own `--config`: a source entry cannot widen them.
    public var sourceAccess: SourceAccessPolicy
    /// `http_auth`: basic auth for the dashboard and `/status`; nil = open (limit who reaches the
    /// port with `--http-host` or the network instead).
    public var httpAuth: HTTPAuthConfig?

    public init(configTopic: String = "stream-config",
                statusTopic: String = "stream-status",
                offsetsTopic: String = "stream-offsets",
                configTopicPartitions: Int = 12,
                groupID: String = "stream-manager",
                sessionTimeoutMs: Int = 10_000,
                instanceID: String? = nil,
                statusIntervalSeconds: Double = 30,
                httpPort: Int = 8080,
                brokerUnavailableSeconds: Double = 60,
                restartAfterFailures: Int = 10,
                sourceAccess: SourceAccessPolicy = SourceAccessPolicy(),
                httpAuth: HTTPAuthConfig? = nil) {
        self.configTopic = configTopic
        self.statusTopic = statusTopic
        self.offsetsTopic = offsetsTopic
        self.configTopicPartitions = configTopicPartitions
        self.groupID = groupID
        self.sessionTimeoutMs = sessionTimeoutMs
        self.instanceID = instanceID
        self.statusIntervalSeconds = statusIntervalSeconds
        self.httpPort = httpPort
        self.brokerUnavailableSeconds = brokerUnavailableSeconds
        self.restartAfterFailures = restartAfterFailures
        self.sourceAccess = sourceAccess
        self.httpAuth = httpAuth
    }

    /// The instance id to use: the configured one, else `$HOSTNAME`, else `stream-manager`.
    public func resolvedInstanceID(environment: [String: String]) -> String {
        if let instanceID, !instanceID.isEmpty { return instanceID }
        if let host = environment["HOSTNAME"], !host.isEmpty { return host }
        return "stream-manager"
    }
}
