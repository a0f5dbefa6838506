import Kafka
import Logging
import StreamConfig

/// Desired state from the compacted config topic (key = source id, value = source entry,
/// tombstone = delete; `__budget:<name>` keys hold the budgets). The initial sync reads every partition to its high watermark, then
/// follows; `config_version` is `kafka:<partition>:<offset>`. A record that does not parse or
/// validate — or reaches outside the operator's `manager.source_access` — is a `reject`:
/// whatever runs for that source keeps its last good config.
public struct ConfigTopicSource: DesiredStateSource {
    public let kind = "kafka"
    private let reader: CompactedTopicReader
    private let access: SourceAccessPolicy
    private let logger: Logger

    public init(topic: String, configuration: KafkaConsumerConfiguration, access: SourceAccessPolicy = SourceAccessPolicy(),
                logger: Logger) {
        reader = CompactedTopicReader(topic: topic, configuration: configuration, logger: logger)
        self.access = access
        self.logger = logger
    }

    public func produce(_ emit: (DesiredStateEvent) -> Void) async {
        let (reader, access, logger) = (self.reader, self.access, self.logger)
        do {
            try await reader.read { event in
                switch event {
                case .initDone(let snapshot):
                    emit(.initStarted)
                    for key in snapshot.keys.sorted() {
                        if let e = Self.event(snapshot[key]!, access: access) { emit(e) }
                    }
                    emit(.initDone)
                case .upsert(let record):
                    // Requests are acted on as they arrive; the initial snapshot's are past.
                    if let key = record.keyString, let request = RestartRequest(key: key, value: record.value) {
                        emit(.restart(request))
                    } else if let e = Self.event(record, access: access) {
                        emit(e)
                    }
                case .delete(let key, let tombstone):
                    if let name = BudgetConfig.name(fromRecordKey: key) {
                        emit(.budget(name: name, nil))
                    } else if !Self.isReserved(key) {
                        emit(.delete(sourceID: key, configVersion: Self.version(tombstone)))
                    }
                case .duplicateKey(let duplicate):
                    logger.warning("config topic: \(duplicate)")
                }
                return true
            }
        } catch {
            logger.error("config topic reader stopped: \(error)")
        }
    }

    static func version(_ record: ConsumerRecord) -> String { "kafka:\(record.partition):\(record.offset)" }

    /// Keys starting with `__` are reserved.
    static func isReserved(_ key: String) -> Bool { key.hasPrefix("__") }

    static func event(_ record: ConsumerRecord, access: SourceAccessPolicy = SourceAccessPolicy()) -> DesiredStateEvent? {
        if let key = record.keyString, let name = BudgetConfig.name(fromRecordKey: key), let value = record.value {
            return ConfigRecord.budgetEvent(name: name, value: value, configVersion: version(record))
        }
        guard let key = record.keyString, !isReserved(key), let value = record.value else { return nil }
        return ConfigRecord.event(sourceID: key, value: value, configVersion: version(record), access: access)
    }
}
