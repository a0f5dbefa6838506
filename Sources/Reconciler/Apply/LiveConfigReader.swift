import Foundation
import Kafka
import Logging
import StreamConfig

/// Reads the config topic once to its high watermark (what `apply` and `diff` compare with): the
/// sources, and the budgets (nil where a budget record is unreadable).
public enum LiveConfigReader {
    public static func read(topic: String, configuration: KafkaConsumerConfiguration, logger: Logger) async throws
        -> (sources: [String: LiveConfig], budgets: [String: BudgetConfig?], warnings: [String]) {
        let reader = CompactedTopicReader(topic: topic, configuration: configuration, logger: logger)
        let (values, duplicates) = try await reader.snapshot()
        var live: [String: LiveConfig] = [:]
        var budgets: [String: BudgetConfig?] = [:]
        for (key, record) in values {
            if let name = BudgetConfig.name(fromRecordKey: key), let value = record.value {
                budgets[name] = .some(ConfigLoader.parseBudgetDocument(data: Data(value), name: name).value)
            }
        }
        for (key, record) in values where !ConfigTopicSource.isReserved(key) {
            guard let value = record.value else { continue }
            let parsed = ConfigLoader.parseSourceDocument(data: Data(value), sourceID: key, options: .lenient)
            live[key] = LiveConfig(config: parsed.value, configVersion: ConfigTopicSource.version(record))
        }
        return (live, budgets, duplicates.map(\.description))
    }
}
