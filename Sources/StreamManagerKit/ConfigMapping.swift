import Foundation
import Kafka
import Pipeline
import StreamConfig

/// Turns the config model (pure values) into the settings of the pipeline's components.
///
/// Configs built in code reach this without validation, so every setting is first clamped
/// into its `SettingBounds` range and every conversion saturates: a wild value behaves like
/// the nearest sensible one instead of trapping the process.
public enum ConfigMapping {
    /// Whole milliseconds, as the config's durations were always rounded; NaN and negatives
    /// give zero, huge values `Saturating.maxSeconds`.
    static func duration(_ seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }
        return .milliseconds(Int64((min(seconds, Saturating.maxSeconds) * 1000).rounded()))
    }

    static func ingestion(_ config: IngestionConfig) -> IngestionSettings {
        let c = config.clampedToBounds()
        return IngestionSettings(
            mode: IngestionSettings.Mode(rawValue: c.mode.rawValue) ?? .realTime,
            pollingInterval: duration(c.pollingIntervalSeconds),
            maxRecordsPerPoll: c.maxRecordsPerPoll,
            bufferSize: c.bufferSize,
            bufferFlushInterval: duration(c.bufferFlushIntervalSeconds),
            batchSize: c.batchSize,
            scheduleInterval: duration(c.scheduleIntervalSeconds ?? 3_600))
    }

    static func priority(_ p: SourcePriority) -> RecordPriority { RecordPriority(name: p.rawValue) ?? .normal }

    static func overflow(_ s: QueueOverflowStrategy) -> OverflowStrategy { OverflowStrategy(rawValue: s.rawValue) ?? .dropOldest }

    static func throttle(_ config: ThrottlingConfig) -> ThrottleSettings {
        let t = config.clampedToBounds()
        return ThrottleSettings(enabled: t.enabled, minSendRate: t.minSendRate, maxSendRate: t.maxSendRate > 0 ? t.maxSendRate : nil,
                                targetConsumerLag: Int64(t.targetConsumerLag), criticalConsumerLag: Int64(t.criticalConsumerLag),
                                adjustmentFactor: t.adjustmentFactor, recoveryCycles: t.recoveryCycles)
    }

    static func routing(_ r: TopicRoutingConfig) -> RoutingRules {
        RoutingRules(
            custom: r.custom,
            contentRules: r.contentRules.map { rule in
                let condition: Pipeline.ContentRule.Condition
                if let matches = rule.matches {
                    condition = .matches(matches)
                } else {
                    condition = .equals(rule.equals.map(scalarText) ?? "null")
                }
                return Pipeline.ContentRule(field: rule.field, condition: condition, topic: rule.topic,
                                            priority: rule.priority.flatMap { RecordPriority(name: $0.rawValue) })
            },
            patterns: r.patterns.map { PatternRule(match: $0.match, on: $0.on == .sourceType ? .sourceType : .sourceID, topic: $0.topic) },
            fallbackTopic: r.fallbackTopic ?? RoutingRules().fallbackTopic)
    }

    /// A JSON scalar as the content rule compares it.
    static func scalarText(_ v: ConfigValue) -> String {
        switch v {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        default: return v.description
        }
    }

    static func api(_ source: SourceConfig, retryBackoffBase: Double) -> APIClient.Settings {
        let s = source.clampedToBounds()
        let base = SettingBounds.kafkaRetryBackoffBase.clamp(retryBackoffBase, nanAs: KafkaConfig().retryBackoffBase)
        return APIClient.Settings(timeout: duration(s.timeoutSeconds), cacheTTL: duration(s.cacheTTLSeconds),
                                  maxRetries: s.maxRetries, retryBackoffBase: duration(base))
    }

    /// The DLQ re-driver's delay.
    static func redriveDelay(_ r: DLQRedriveConfig) -> Duration { duration(r.clampedToBounds().delaySeconds) }

    /// The data producer's settings. `${ENV}` references in `kafka.properties` (SASL passwords)
    /// are resolved here, at use.
    static func producer(_ config: KafkaConfig, bootstrapServers: [String],
                         environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KafkaProducerConfiguration {
        let k = config.clampedToBounds()
        var p = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        p.clientID = k.clientID
        p.compression = KafkaCompression(rawValue: k.compressionType.rawValue) ?? .none
        p.lingerMilliseconds = k.lingerMs
        p.batchRecords = k.batchSize
        // Records wait for the brokers however long they are away (the queue's backpressure stops
        // ingestion meanwhile) instead of timing out into failures: an outage must not lose data.
        // `kafka.properties` may still set `message.timeout.ms`.
        p.messageTimeoutMilliseconds = 0
        p.properties = try k.properties.mapValues { try EnvReference.resolve($0, environment: environment) }
        return p
    }
}

extension ConfigMapping {
    /// librdkafka properties of the data producer for a config (benchmarks compare raw clients with the same settings).
    public static func producerProperties(_ config: StreamManagerConfig, bootstrap: String) throws -> [String: String] {
        try producer(config.kafka, bootstrapServers: .bootstrapList(bootstrap)).librdkafkaProperties()
    }
}

extension ConfigMapping {
    /// `kafka.properties` with `${ENV}` references resolved (security settings every client of
    /// the operator shares: config reader, status writer, admin).
    public static func clientProperties(_ k: KafkaConfig,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String: String] {
        try k.properties.mapValues { try EnvReference.resolve($0, environment: environment) }
    }
}
