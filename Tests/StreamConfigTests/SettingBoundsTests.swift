import Foundation
import Testing
@testable import StreamConfig

/// Every numeric setting has a closed range: values outside it — negative, huge, NaN,
/// infinite, past `Int` — are errors at the value's line and column, and the limits
/// themselves are accepted.
@Suite("Numeric settings: ranges at the right place")
struct SettingBoundsTests {
    /// One numeric key placed in a document, and where its value sits.
    struct Placement {
        var text: String
        var path: String
        var line: Int
        var column: Int
    }

    /// `kafka.batch_size` → "kafka:\n  batch_size: V\n" under `prefix` (lines already written),
    /// indented by `indent`.
    static func place(_ key: String, value: String, prefix: [String] = [], indent: Int = 0, pathBase: String = "") -> Placement {
        var lines = prefix
        let parts = key.split(separator: ".").map(String.init)
        for (depth, part) in parts.enumerated() {
            let pad = String(repeating: " ", count: indent + 2 * depth)
            lines.append(depth == parts.count - 1 ? "\(pad)\(part): \(value)" : "\(pad)\(part):")
        }
        let column = indent + 2 * (parts.count - 1) + parts.last!.count + 3
        let path = pathBase.isEmpty ? key : "\(pathBase).\(key)"
        return Placement(text: lines.joined(separator: "\n") + "\n", path: path, line: lines.count, column: column)
    }

    /// A whole config with one generator source, the key under the source (`sources.s.`).
    static func inSource(_ key: String, value: String) -> Placement {
        place(key, value: value, prefix: ["sources:", "  s:", "    source_type: generator", "    topic: t"],
              indent: 4, pathBase: "sources.s")
    }

    /// Values no setting accepts, as written in YAML.
    static let outlandish = [".nan", ".NaN", ".inf", "-.inf", "9223372036854775807", "-9223372036854775808",
                             "9223372036854775808", "1e308", "-1e308", "-1"]

    /// Just outside the range, as written.
    static func outside(_ bound: NumericBound) -> [String] {
        let lower = bound.range.lowerBound, upper = bound.range.upperBound
        var values: [String] = []
        if bound.isInteger {
            values = [String(Int(upper) + 1)]
            let below = Int(lower) - 1
            if !(bound.zeroMeans != nil && below == 0) { values.append(String(below)) }
        } else {
            values = [NumericBound.format(upper * 1.5)]
            values.append(lower > 0 ? NumericBound.format(lower / 2) : "-0.5")
        }
        return values
    }

    /// The limits (and 0 when it has its own meaning), as written.
    static func atLimits(_ bound: NumericBound) -> [String] {
        [NumericBound.format(bound.range.lowerBound), NumericBound.format(bound.range.upperBound)]
            + (bound.zeroMeans != nil ? ["0"] : [])
    }

    func expectRangeError(_ diagnostics: [Diagnostic], _ p: Placement, _ bound: NumericBound, value: String,
                          sourceLocation: SourceLocation = #_sourceLocation) {
        let between = "between \(NumericBound.format(bound.range.lowerBound)) and \(NumericBound.format(bound.range.upperBound))"
        // Errors only: a key another mode reads also draws a warning there.
        let matching = diagnostics.filter { $0.path == p.path && $0.isError }
        #expect(matching.count == 1, "\(p.path): \(value) → \(diagnostics.rendered)", sourceLocation: sourceLocation)
        guard let d = matching.first else { return }
        #expect(d.severity == .error, sourceLocation: sourceLocation)
        #expect(d.line == p.line && d.column == p.column, "\(p.path): \(value) at \(d.line):\(d.column), expected \(p.line):\(p.column)",
                sourceLocation: sourceLocation)
        #expect(d.message.hasPrefix("must be ") && d.message.contains(between) && d.message.contains(", got "),
                "\(p.path): \(value) → \(d.message)", sourceLocation: sourceLocation)
    }

    /// No range complaint at the path (a cross-field rule may still object to a limit, e.g. a
    /// `target_consumer_lag` above the default `critical_consumer_lag`).
    func expectNoRangeError(_ diagnostics: [Diagnostic], _ p: Placement, value: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        let complaints = diagnostics.filter { $0.path == p.path && $0.message.contains("between") }
        #expect(complaints.isEmpty, "\(p.path): \(value) → \(complaints)", sourceLocation: sourceLocation)
    }

    @Test("manager-wide settings: outside the range, NaN, infinite and huge values are errors; the limits pass")
    func managerSettings() {
        for bound in SettingBounds.manager {
            for value in Self.outlandish + Self.outside(bound) {
                let p = Self.place(bound.key, value: value)
                expectRangeError(parse(p.text).diagnostics, p, bound, value: value)
            }
            for value in Self.atLimits(bound) {
                let p = Self.place(bound.key, value: value)
                expectNoRangeError(parse(p.text).diagnostics, p, value: value)
            }
        }
    }

    @Test("manager.restart_after_failures: 10 when absent; 0 (never) and a given count are kept")
    func restartAfterFailures() {
        #expect(parse("manager: {}").value?.manager.restartAfterFailures == 10)
        #expect(parse("manager: {restart_after_failures: 0}").value?.manager.restartAfterFailures == 0)
        #expect(parse("manager: {restart_after_failures: 3}").value?.manager.restartAfterFailures == 3)
        let refused = parse("manager: {restart_after_failures: -1}").diagnostics
        #expect(refused.map(\.path) == ["manager.restart_after_failures"] && refused.first?.message.contains("0 (never") == true)
    }

    @Test("source and ingestion settings, in a whole config and in a single source document")
    func sourceSettings() {
        for bound in SettingBounds.source {
            for value in Self.outlandish + Self.outside(bound) {
                let whole = Self.inSource(bound.key, value: value)
                expectRangeError(parse(whole.text).diagnostics, whole, bound, value: value)
                let single = Self.place(bound.key, value: value, prefix: ["source_type: generator", "topic: t"])
                let result = ConfigLoader.parseSourceDocument(single.text, sourceID: "s")
                #expect(result.value == nil)
                expectRangeError(result.diagnostics, single, bound, value: value)
            }
            for value in Self.atLimits(bound) {
                let single = Self.place(bound.key, value: value, prefix: ["source_type: generator", "topic: t"])
                let result = ConfigLoader.parseSourceDocument(single.text, sourceID: "s")
                #expect(result.value != nil, "\(bound.key): \(value) → \(result.diagnostics.rendered)")
                let whole = Self.inSource(bound.key, value: value)
                expectNoRangeError(parse(whole.text).diagnostics, whole, value: value)
            }
        }
    }

    /// Extra settings a type needs to validate, so only the key under test is wrong.
    static let required: [String: String] = ["nasa_firms": "url: \"https://firms.example/x.csv\"",
                                             "http_json": "url: \"https://x.example\"", "iot_sensor": "url: \"https://x.example\"",
                                             "file": "path: /data/x.jsonl"]

    @Test("every numeric connector setting of every built-in type has a range, enforced like the others")
    func connectorSettings() {
        let registry = SourceTypeRegistry.withBuiltins()
        var checked: [String] = []
        for type in registry.registeredTypes {
            let schema = registry.schema(for: type)!
            for (key, spec) in schema.settings.sorted(by: { $0.key < $1.key }) where spec.type == .integer || spec.type == .number {
                guard let bound = spec.bound else {
                    Issue.record("\(type).\(key) has no range")
                    continue
                }
                #expect(bound.key == key)
                checked.append("\(type).\(key)")
                let prefix = ["source_type: \(type)", "topic: t", "connector:"] + (Self.required[type].map { ["  \($0)"] } ?? [])
                for value in Self.outlandish + Self.outside(bound) {
                    let p = Self.place(key, value: value, prefix: prefix, indent: 2, pathBase: "connector")
                    expectRangeError(ConfigLoader.parseSourceDocument(p.text, sourceID: "s").diagnostics, p, bound, value: value)
                }
                for value in Self.atLimits(bound) {
                    let p = Self.place(key, value: value, prefix: prefix, indent: 2, pathBase: "connector")
                    let result = ConfigLoader.parseSourceDocument(p.text, sourceID: "s")
                    #expect(result.value != nil, "\(type).\(key): \(value) → \(result.diagnostics.rendered)")
                }
            }
        }
        #expect(checked == ["generator.key_cardinality", "generator.payload_bytes", "generator.rate_per_second",
                            "generator.total_records", "nasa_firms.day_range"])
    }

    @Test("the reported crash values give plain messages")
    func reportedValues() {
        func message(_ text: String, _ path: String) -> String? {
            ConfigLoader.parseSourceDocument(text, sourceID: "s").diagnostics.first { $0.path == path }?.message
        }
        #expect(message("{\"source_type\":\"generator\",\"topic\":\"t\",\"connector\":{\"payload_bytes\":9223372036854775807}}",
                        "connector.payload_bytes") == "must be between 0 and 1048576 bytes, got 9223372036854775807")
        #expect(message("source_type: generator\ningestion: {polling_interval_seconds: 1e16}", "ingestion.polling_interval_seconds")
                == "must be between 0.01 and 31536000 seconds, got 1e+16")
        #expect(message("source_type: generator\ningestion: {polling_interval_seconds: 0.0001}", "ingestion.polling_interval_seconds")
                == "must be between 0.01 and 31536000 seconds, got 0.0001")
        #expect(message("source_type: generator\ntimeout_seconds: 1e308", "timeout_seconds")
                == "must be between 0.01 and 3600 seconds, got 1e+308")
        #expect(message("source_type: generator\ntimeout_seconds: .nan", "timeout_seconds")
                == "must be between 0.01 and 3600 seconds, got .nan")
        #expect(message("source_type: generator\nconnector: {rate_per_second: 1e20}", "connector.rate_per_second")
                == "must be between 0 and 1000000000 records per second, got 1e+20")
        #expect(message("source_type: generator\ningestion: {max_records_per_poll: 9223372036854775807}", "ingestion.max_records_per_poll")
                == "must be between 1 and 1000000 records, got 9223372036854775807")
        #expect(message("source_type: generator\ningestion: {max_records_per_poll: 1e308}", "ingestion.max_records_per_poll")
                == "must be between 1 and 1000000 records, got 1e308")
        #expect(parse("throttling: {max_send_rate: 0.0001}").diagnostics.map(\.message)
                == ["must be 0 (no ceiling) or between 0.001 and 1000000000 records per second, got 0.0001"])
    }

    @Test("max_send_rate 0 is no ceiling: any min_send_rate fits under it; a positive max still bounds min")
    func sendRates() {
        #expect(parse("throttling: {max_send_rate: 0, min_send_rate: 5000}").value?.throttling.maxSendRate == 0)
        let d = parse("throttling: {max_send_rate: 10, min_send_rate: 20}").diagnostics
        #expect(d.map(\.path) == ["throttling.min_send_rate"] && d.first?.message.contains("greater than max_send_rate") == true)
    }

    @Test("configs built in code: NaN, infinities and huge values are errors without positions")
    func codeBuilt() {
        var source = SourceConfig(sourceType: "generator", topic: "t")
        source.timeoutSeconds = .nan
        source.cacheTTLSeconds = .infinity
        source.ingestion.pollingIntervalSeconds = 1e16
        source.ingestion.bufferFlushIntervalSeconds = -.infinity
        source.ingestion.maxRecordsPerPoll = .max
        source.ingestion.scheduleIntervalSeconds = .nan
        source.rateLimitPerMinute = .min
        source.connector = ["payload_bytes": .double(.nan), "rate_per_second": 1e20, "total_records": .int(.min)]
        let d = ConfigValidator.validate(source: source, id: "s")
        #expect(Set(d.map(\.path)) == ["timeout_seconds", "cache_ttl_seconds", "ingestion.polling_interval_seconds",
                                       "ingestion.buffer_flush_interval_seconds", "ingestion.max_records_per_poll",
                                       "ingestion.schedule_interval_seconds", "rate_limit_per_minute",
                                       "connector.payload_bytes", "connector.rate_per_second", "connector.total_records"],
                "\(d.rendered)")
        #expect(d.allSatisfy { $0.isError && $0.line == 0 && $0.message.contains("between") })

        var config = StreamManagerConfig(sources: ["s": SourceConfig(sourceType: "generator", topic: "t")])
        config.kafka.retryBackoffBase = .nan
        config.throttling.minSendRate = .nan
        config.throttling.maxSendRate = .infinity
        config.throttling.adjustmentFactor = .nan
        config.dlqRedrive.delaySeconds = .nan
        config.manager.statusIntervalSeconds = .nan
        config.queueMaxBytes = .max
        let paths = Set(config.validate().map(\.path))
        #expect(paths == ["kafka.retry_backoff_base", "throttling.min_send_rate", "throttling.max_send_rate",
                          "throttling.adjustment_factor", "dlq_redrive.delay_seconds", "manager.status_interval_seconds",
                          "queue_max_bytes"], "\(paths)")
    }

    @Test("clamping moves every value into its range and NaN to the default; a valid config is unchanged")
    func clamping() throws {
        let valid = try #require(ConfigLoader.parse(try Repo.text("config/stream_config.example.yaml"), options: .lenient).value)
        #expect(valid.clampedToBounds() == valid)

        var i = IngestionConfig(pollingIntervalSeconds: .nan, maxRecordsPerPoll: .max, bufferSize: .min,
                                bufferFlushIntervalSeconds: 1e308, batchSize: 0, scheduleIntervalSeconds: -.infinity)
        i = i.clampedToBounds()
        #expect(i.pollingIntervalSeconds == IngestionConfig.defaultPollingIntervalSeconds)
        #expect(i.maxRecordsPerPoll == 1_000_000 && i.bufferSize == 1 && i.batchSize == 1)
        #expect(i.bufferFlushIntervalSeconds == 86_400 && i.scheduleIntervalSeconds == 0.01)

        var t = ThrottlingConfig(minSendRate: 0, maxSendRate: -5, adjustmentFactor: .infinity)
        t = t.clampedToBounds()
        #expect(t.minSendRate == 0.001 && t.maxSendRate == 0 && t.adjustmentFactor == 100)
        #expect(SettingBounds.maxSendRate.clamp(1e-300, nanAs: 1000) == 0.001)
    }

    /// docs/configuration.md states each range; this keeps the page and the table in step.
    static let docSections: [(prefix: String, heading: String)] = [
        ("kafka.", "### `kafka`"), ("throttling.", "### `throttling`"), ("dlq_redrive.", "### `dlq_redrive`"),
        ("manager.", "### `manager`"), ("ingestion.", "### `ingestion`"),
    ]

    static func docRow(_ doc: String, heading: String, key: String) -> String? {
        guard let start = doc.range(of: "\n" + heading + "\n") else { return nil }
        var section = doc[start.upperBound...]
        if let end = section.range(of: #"\n(#+ |\*\*`)"#, options: .regularExpression) { section = section[..<end.lowerBound] }
        return section.split(separator: "\n").first { $0.hasPrefix("| `\(key)` |") }.map(String.init)
    }

    @Test("docs/configuration.md gives every range as the table has it")
    func documented() throws {
        let doc = try Repo.text("docs/configuration.md")
        func check(_ bound: NumericBound, heading: String, key: String) {
            let row = Self.docRow(doc, heading: heading, key: key)
            #expect(row?.contains(bound.rangeText) == true, "\(heading) \(key): \(row ?? "no row") should state \(bound.rangeText)")
        }
        for bound in SettingBounds.manager {
            let section = Self.docSections.first { bound.key.hasPrefix($0.prefix) }
            check(bound, heading: section?.heading ?? "## Top level", key: String(bound.key.split(separator: ".").last!))
        }
        for bound in SettingBounds.source {
            let section = Self.docSections.first { bound.key.hasPrefix($0.prefix) }
            check(bound, heading: section?.heading ?? "## Sources", key: String(bound.key.split(separator: ".").last!))
        }
        for bound in [SettingBounds.budgetRequests, SettingBounds.budgetInterval] {
            check(bound, heading: "### `budgets`", key: bound.key)
        }
        let generator = SettingBounds.Generator.self
        for bound in [generator.ratePerSecond, generator.totalRecords, generator.payloadBytes, generator.keyCardinality] {
            check(bound, heading: "**`generator`** — synthetic records for demos, benchmarks and tests.", key: bound.key)
        }
        check(SettingBounds.firmsDayRange, heading: "**`nasa_firms`** — the FIRMS area API (CSV fire detections).", key: "day_range")
        for limits in [DocumentLimits.configDocument, .sourceDocument] {
            #expect(doc.contains("\(limits.maxBytes) bytes") && doc.contains("\(limits.maxValues) values"))
        }
    }
}
