import Kafka
import Logging

/// The operator's own topics: config, status and offsets, all compacted. Created when missing;
/// an existing one that is not compacted is used with a warning (deleting records from it would
/// lose desired state, statuses or cursors).
public enum TopicSetup {
    public static func specs(_ settings: OperatorSettings) -> [TopicSpec] {
        [.compacted(settings.configTopic, partitions: max(1, settings.config.manager.configTopicPartitions)),
         .compacted(settings.statusTopic, partitions: 1),
         .compacted(settings.offsetsTopic, partitions: 1)]
    }

    /// Ensures each topic; returns the warnings (also logged).
    public static func ensure(_ specs: [TopicSpec], admin: KafkaAdmin, logger: Logger) async throws -> [String] {
        var warnings: [String] = []
        for spec in specs {
            guard case .alreadyExisted = try await admin.ensureTopic(spec) else { continue }
            // A broker that cannot describe configs (nil) is not a reason to warn.
            if let configs = try? await admin.topicConfigs(spec.name), let warning = warning(for: spec.name, configs: configs) {
                logger.warning("\(warning)")
                warnings.append(warning)
            }
        }
        return warnings
    }

    static func warning(for topic: String, configs: [String: String]) -> String? {
        guard let policy = configs["cleanup.policy"], !policy.contains("compact") else { return nil }
        return "topic \(topic) exists with cleanup.policy=\(policy), not compact: its old records may be deleted"
    }
}
