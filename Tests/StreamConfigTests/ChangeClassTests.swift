import Testing
@testable import StreamConfig

/// Every field of a source: its change must change the hash, and classify as the table says.
@Suite("Canonical hash sensitivity and change classes")
struct ChangeClassTests {
    static let base = SourceConfig(
        sourceType: "http_json", enabled: true, topic: "t", priority: .normal,
        ingestion: IngestionConfig(mode: .realTime, pollingIntervalSeconds: 30, maxRecordsPerPoll: 100,
                                   bufferSize: 100, bufferFlushIntervalSeconds: 5, batchSize: 1000,
                                   scheduleIntervalSeconds: 60),
        rateLimitPerMinute: 60, timeoutSeconds: 30, cacheTTLSeconds: 60, maxRetries: 3, dlqTopic: "t-dlq",
        connector: ["url": "https://example.org/a", "headers": ["Accept": "application/json"], "records_path": "items"])

    struct Row: Sendable, CustomStringConvertible {
        let name: String
        let change: @Sendable (inout SourceConfig) -> Void
        let expected: ChangeClass
        var description: String { name }
    }

    static let table: [Row] = [
        Row(name: "source_type", change: { $0.sourceType = "iot_sensor" }, expected: .restart(["source_type"])),
        Row(name: "enabled", change: { $0.enabled = false }, expected: .disable),
        Row(name: "topic", change: { $0.topic = "u" }, expected: .hot(["topic"])),
        Row(name: "topic removed", change: { $0.topic = nil }, expected: .hot(["topic"])),
        Row(name: "priority", change: { $0.priority = .critical }, expected: .hot(["priority"])),
        Row(name: "ingestion.mode", change: { $0.ingestion.mode = .continuousStreaming }, expected: .restart(["ingestion.mode"])),
        Row(name: "ingestion.polling_interval_seconds", change: { $0.ingestion.pollingIntervalSeconds = 30.5 },
            expected: .hot(["ingestion.polling_interval_seconds"])),
        Row(name: "ingestion.max_records_per_poll", change: { $0.ingestion.maxRecordsPerPoll = 101 },
            expected: .hot(["ingestion.max_records_per_poll"])),
        Row(name: "ingestion.buffer_size", change: { $0.ingestion.bufferSize = 99 }, expected: .hot(["ingestion.buffer_size"])),
        Row(name: "ingestion.buffer_flush_interval_seconds", change: { $0.ingestion.bufferFlushIntervalSeconds = 6 },
            expected: .hot(["ingestion.buffer_flush_interval_seconds"])),
        Row(name: "ingestion.batch_size", change: { $0.ingestion.batchSize = 10 }, expected: .hot(["ingestion.batch_size"])),
        Row(name: "ingestion.schedule_interval_seconds", change: { $0.ingestion.scheduleIntervalSeconds = 120 },
            expected: .hot(["ingestion.schedule_interval_seconds"])),
        Row(name: "ingestion.schedule_interval_seconds removed", change: { $0.ingestion.scheduleIntervalSeconds = nil },
            expected: .hot(["ingestion.schedule_interval_seconds"])),
        Row(name: "rate_limit_per_minute", change: { $0.rateLimitPerMinute = 0 }, expected: .hot(["rate_limit_per_minute"])),
        Row(name: "timeout_seconds", change: { $0.timeoutSeconds = 0.25 }, expected: .hot(["timeout_seconds"])),
        Row(name: "cache_ttl_seconds", change: { $0.cacheTTLSeconds = 0 }, expected: .hot(["cache_ttl_seconds"])),
        Row(name: "max_retries", change: { $0.maxRetries = 0 }, expected: .hot(["max_retries"])),
        Row(name: "dlq_topic", change: { $0.dlqTopic = "other" }, expected: .hot(["dlq_topic"])),
        Row(name: "dlq_topic removed", change: { $0.dlqTopic = nil }, expected: .hot(["dlq_topic"])),
        Row(name: "connector.url", change: { $0.connector["url"] = "https://example.org/b" }, expected: .restart(["connector.url"])),
        Row(name: "connector.headers.Accept", change: { $0.connector["headers"] = ["Accept": "text/csv"] },
            expected: .restart(["connector.headers.Accept"])),
        Row(name: "connector key added", change: { $0.connector["key_path"] = "id" }, expected: .restart(["connector.key_path"])),
        Row(name: "connector key removed", change: { $0.connector["records_path"] = nil },
            expected: .restart(["connector.records_path"])),
        Row(name: "connector value type", change: { $0.connector["records_path"] = 1 }, expected: .restart(["connector.records_path"])),
        Row(name: "hot and restart together", change: { $0.topic = "u"; $0.connector["url"] = "https://x.org" },
            expected: .restart(["connector.url", "topic"])),
        Row(name: "several hot fields", change: { $0.topic = "u"; $0.maxRetries = 9 }, expected: .hot(["max_retries", "topic"])),
    ]

    @Test("classification table", arguments: table)
    func classification(_ row: Row) {
        var changed = Self.base
        row.change(&changed)
        #expect(classify(Self.base, changed) == row.expected)
        #expect(changed.configHash != Self.base.configHash, "hash must change for \(row.name)")
        #expect(changed != Self.base)
    }

    @Test("the table covers every field of the canonical form")
    func coverage() {
        guard case .object(let top) = Self.base.canonicalValue,
              case .object(let ingestion)? = top["ingestion"] else { Issue.record("not an object"); return }
        var fields = Set(top.keys.filter { $0 != "ingestion" && $0 != "connector" })
        fields.formUnion(ingestion.keys.map { "ingestion.\($0)" })
        let covered = Set(Self.table.map(\.name))
        #expect(fields.subtracting(covered).isEmpty, "uncovered: \(fields.subtracting(covered).sorted())")
        #expect(fields.count == 16)
    }

    @Test("no change, and changes that are only formatting, classify as none")
    func none() {
        #expect(classify(Self.base, Self.base) == .none)
        var same = Self.base
        same.connector = ["records_path": "items", "headers": ["Accept": "application/json"], "url": "https://example.org/a"]
        same.timeoutSeconds = 30.0
        #expect(classify(Self.base, same) == .none)
        var intVsDouble = Self.base
        intVsDouble.connector["records_path"] = 2
        var doubleVersion = Self.base
        doubleVersion.connector["records_path"] = 2.0
        #expect(classify(intVsDouble, doubleVersion) == .none)
        #expect(intVsDouble.configHash == doubleVersion.configHash)
    }

    @Test("enabling a disabled source is .enable, whatever else changed")
    func enable() {
        var disabled = Self.base
        disabled.enabled = false
        var enabled = Self.base
        enabled.topic = "u"
        #expect(classify(disabled, enabled) == .enable)
        #expect(classify(enabled, disabled) == .disable)
    }

    @Test("changes list old and new values as canonical JSON for diff")
    func changes() {
        var changed = Self.base
        changed.ingestion.bufferSize = 7
        changed.topic = nil
        changed.connector["format"] = "csv"
        let lines = changed.changes(from: Self.base).map(\.description)
        #expect(lines == ["connector.format: null → \"csv\"", "ingestion.buffer_size: 100 → 7", "topic: \"t\" → null"])
        #expect(ChangeClass.requiresRestart("connector.format") && !ChangeClass.requiresRestart("connectors"))
    }
}
