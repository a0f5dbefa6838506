import Kafka
import Logging
import Pipeline
import StreamConfig

/// Starts the DLQ re-driver for a manager when the config asks for it (`enable_dlq` and
/// `dlq_redrive.enabled`), watching the DLQ topics of the streams that run.
enum RedriveService {
    static func start(config: StreamManagerConfig, bootstrapServers: [String], dlqTopics: @escaping @Sendable () async -> Set<String>,
                      deadLettered: @escaping @Sendable () -> Int, logger: Logger) throws -> (DeadLetterRedriver, Task<Void, Never>)? {
        let r = config.dlqRedrive
        guard config.enableDLQ, r.enabled, r.maxRedrives > 0 else { return nil }
        let settings = RedriveSettings(r, groupID: "\(config.manager.groupID).dlq-redrive")
        let redriver = DeadLetterRedriver(bootstrapServers: bootstrapServers,
                                          producerConfiguration: try KafkaProducerConfiguration(config.kafka, bootstrapServers: bootstrapServers),
                                          settings: settings, logger: logger)
        let task = Task { await redriver.run(topics: dlqTopics, deadLettered: deadLettered) }
        return (redriver, task)
    }

    /// `dlq_topic`, or `<topic>.dlq` for each topic the source's records can be routed to.
    static func dlqTopics(source: SourceConfig, staticTopic: String, routing: TopicRoutingConfig) -> Set<String> {
        if let explicit = source.dlqTopic { return [explicit] }
        var topics: Set<String> = [DeadLetter.defaultTopic(for: staticTopic)]
        for rule in routing.contentRules { if let t = rule.topic { topics.insert(DeadLetter.defaultTopic(for: t)) } }
        return topics
    }
}
