import Kafka
import Logging
import Pipeline
import ServiceLifecycle
import StreamConfig

/// The DLQ re-driver of a runtime, when the config asks for it (`enable_dlq` and
/// `dlq_redrive.enabled`), watching the DLQ topics of the streams that run. Runs until graceful
/// shutdown.
struct RedriveService: Service {
    let redriver: DeadLetterRedriver
    let dlqTopics: @Sendable () async -> Set<String>
    let deadLettered: @Sendable () -> Int

    /// The re-driver the config asks for, nil when it does not.
    static func redriver(config: StreamManagerConfig, bootstrapServers: [String], logger: Logger) throws -> DeadLetterRedriver? {
        let r = config.dlqRedrive
        guard config.enableDLQ, r.enabled, r.maxRedrives > 0 else { return nil }
        let settings = RedriveSettings(r,
                                       groupID: "\(config.manager.groupID).dlq-redrive")
        return DeadLetterRedriver(bootstrapServers: bootstrapServers,
                                  producerConfiguration: try KafkaProducerConfiguration(config.kafka, bootstrapServers: bootstrapServers),
                                  settings: settings, logger: logger)
    }

    func run() async {
        await cancelWhenGracefulShutdown { [redriver, dlqTopics, deadLettered] in
            await redriver.run(topics: dlqTopics, deadLettered: deadLettered)
            try? await gracefulShutdown()  // ends at its turn: an early return would cancel the group
        }
    }

    /// `dlq_topic`, or `<topic>.dlq` for each topic the source's records can be routed to.
    static func dlqTopics(source: SourceConfig, staticTopic: String, routing: TopicRoutingConfig) -> Set<String> {
        if let explicit = source.dlqTopic { return [explicit] }
        var topics: Set<String> = [DeadLetter.defaultTopic(for: staticTopic)]
        for rule in routing.contentRules { if let t = rule.topic { topics.insert(DeadLetter.defaultTopic(for: t)) } }
        return topics
    }
}
