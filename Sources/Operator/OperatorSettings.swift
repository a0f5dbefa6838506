import Foundation
import Kafka
import Pipeline
import Kubernetes
import StreamConfig

/// Everything `stream-manager run` decides before the operator starts.
public struct OperatorSettings: Sendable {
    /// Where the desired sources come from.
    public enum DesiredSourceKind: Sendable {
        case kafka
        case file(path: String)
        case configMap(ConfigMapSettings)
    }

    /// `--source configmap`: which ConfigMap, which key, and how to reach the API server.
    public struct ConfigMapSettings: Sendable {
        public var client: KubeClientConfig
        public var namespace: String
        public var name: String
        public var key: String
        public var keepOnDelete: Bool
        public var timing: ConfigMapWatcher.Timing

        public init(client: KubeClientConfig, namespace: String, name: String = "stream-config",
                    key: String = "stream_config.yaml", keepOnDelete: Bool = false,
                    timing: ConfigMapWatcher.Timing = ConfigMapWatcher.Timing()) {
            self.client = client
            self.namespace = namespace
            self.name = name
            self.key = key
            self.keepOnDelete = keepOnDelete
            self.timing = timing
        }
    }

    /// Manager-wide settings (kafka, queue, throttling, routing, manager). Its `sources` are not
    /// read here: in kafka mode they were published to the config topic, in file mode the file
    /// is watched.
    public var config: StreamManagerConfig
    public var bootstrapServers: [String]
    public var desiredSource: DesiredSourceKind
    public var instanceID: String
    /// Whether to create the config, status and offsets topics when missing (the embedded
    /// cluster has them already).
    public var ensureTopics: Bool
    /// How often each source's status and the heartbeat are written again.
    public var statusInterval: Duration
    /// How often the file source looks at the file.
    public var filePollInterval: Duration
    /// The config and status readers' `fetch.wait.max.ms`, which a config change may wait out
    /// (see `KafkaConsumerConfiguration.promptIdleFetchWaitMilliseconds`); the in-process embedded
    /// cluster uses 10 ms. `kafka.properties` can override it.
    public var configFetchWait: Duration = .milliseconds(KafkaConsumerConfiguration.promptIdleFetchWaitMilliseconds)
    /// Kafka mode: share the sources with the other replicas through the consumer group
    /// `manager.group_id` on the config topic (ignored in file and ConfigMap modes).
    public var shareSources = true

    public init(config: StreamManagerConfig, bootstrapServers: [String], desiredSource: DesiredSourceKind,
                instanceID: String, ensureTopics: Bool = true, filePollInterval: Duration = .milliseconds(500)) {
        self.config = config
        self.bootstrapServers = bootstrapServers
        self.desiredSource = desiredSource
        self.instanceID = instanceID
        self.ensureTopics = ensureTopics
        self.statusInterval = Saturating.duration(seconds: max(0.1, config.manager.statusIntervalSeconds))
        self.filePollInterval = filePollInterval
    }

    public var configTopic: String { config.manager.configTopic }
    public var statusTopic: String { config.manager.statusTopic }
    public var offsetsTopic: String { config.manager.offsetsTopic }
    public var configSourceName: String {
        switch desiredSource {
        case .kafka: "kafka"
        case .file: "file"
        case .configMap: "configmap"
        }
    }
}
