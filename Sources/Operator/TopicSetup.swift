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

    /// Ensures the topics, all at once (a broker that does not answer CreateTopics then costs one
    /// short timeout, not one per topic); returns the ones that already existed (to check for
    /// compaction). Topics the broker auto-created instead are named in one warning, since they
    /// have the broker's defaults rather than `specs`' partitions and compaction.
    public static func ensure(_ specs: [TopicSpec], admin: KafkaAdmin, logger: Logger) async throws -> [String] {
        let outcomes = try await withThrowingTaskGroup(of: (TopicSpec, EnsureTopicOutcome).self) { group in
            for spec in specs { group.addTask { (spec, try await admin.ensureTopic(spec)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }.sorted { $0.0.name < $1.0.name }
        let autoCreated = outcomes.compactMap { spec, outcome -> String? in
            guard case .autoCreated(let n) = outcome else { return nil }
            return "\(spec.name) (\(n) partition\(n == 1 ? "" : "s"), \(spec.partitions) wanted)"
        }
        if !autoCreated.isEmpty {
            logger.warning("""
                the broker did not answer CreateTopics; these topics were auto-created with its defaults \
                (partition count, cleanup.policy): \(autoCreated.joined(separator: ", ")). Create them compacted \
                beforehand for production.
                """)
        }
        return outcomes.compactMap { spec, outcome in
            if case .alreadyExisted = outcome { spec.name } else { nil }
        }
    }

    /// Warns about existing topics that are not compacted; returns the warnings. Slow where the
    /// cluster does not answer DescribeConfigs (the mock), so callers need not wait for it.
    public static func checkCompaction(_ topics: [String], admin: KafkaAdmin, logger: Logger,
                                       timeout: Duration = .seconds(5)) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for topic in topics {
                group.addTask {
                    // A broker that cannot describe configs (nil) is not a reason to warn.
                    guard let configs = try? await admin.topicConfigs(topic, timeout: timeout) else { return nil }
                    return warning(for: topic, configs: configs)
                }
            }
            var warnings: [String] = []
            for await case let w? in group {
                logger.warning("\(w)")
                warnings.append(w)
            }
            return warnings.sorted()
        }
    }

    static func warning(for topic: String, configs: [String: String]) -> String? {
        guard let policy = configs["cleanup.policy"], !policy.contains("compact") else { return nil }
        return "topic \(topic) exists with cleanup.policy=\(policy), not compact: its old records may be deleted"
    }
}
