import Kafka
import Logging
import StreamConfig

/// Desired state from the compacted config topic (key = source id, value = source entry,
/// tombstone = delete). The initial sync reads every partition to its high watermark, then
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

    public func events() -> AsyncStream<DesiredStateEvent> {
        let (stream, continuation) = AsyncStream<DesiredStateEvent>.makeStream()
        let (reader, access, logger) = (self.reader, self.access, self.logger)
        let task = Task {
            do {
                for try await event in reader.events() {
                    switch event {
                    case .initDone(let snapshot):
                        continuation.yield(.initStarted)
                        for key in snapshot.keys.sorted() {
                            if let e = Self.event(snapshot[key]!, access: access) { continuation.yield(e) }
                        }
                        continuation.yield(.initDone)
                    case .upsert(let record):
                        if let e = Self.event(record, access: access) { continuation.yield(e) }
                    case .delete(let key, let tombstone):
                        if !Self.isReserved(key) {
                            continuation.yield(.delete(sourceID: key, configVersion: Self.version(tombstone)))
                        }
                    case .duplicateKey(let duplicate):
                        logger.warning("config topic: \(duplicate)")
                    }
                }
            } catch {
                logger.error("config topic reader stopped: \(error)")
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    static func version(_ record: ConsumerRecord) -> String { "kafka:\(record.partition):\(record.offset)" }

    /// Keys starting with `__` are reserved.
    static func isReserved(_ key: String) -> Bool { key.hasPrefix("__") }

    static func event(_ record: ConsumerRecord, access: SourceAccessPolicy = SourceAccessPolicy()) -> DesiredStateEvent? {
        guard let key = record.keyString, !isReserved(key), let value = record.value else { return nil }
        return ConfigRecord.event(sourceID: key, value: value, configVersion: version(record), access: access)
    }
}
