import Foundation
import Kafka
import Pipeline
import StreamConfig
import Testing
@testable import Connectors
@testable import StreamManagerKit

/// Extreme numbers in every numeric setting: a config that validation accepts turns into
/// pipeline settings and a running connector without a trap or an absurd allocation, and one
/// built in code without validation is clamped rather than trusted.
@Suite("Extreme numeric settings")
struct ExtremeSettingsTests {
    /// A deterministic generator (SplitMix64), so a failure names a reproducible value.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// `kafka.batch_size` → "kafka:\n  batch_size: V" indented by `indent`.
    static func nested(_ key: String, _ value: String, indent: Int) -> String {
        let parts = key.split(separator: ".").map(String.init)
        return parts.enumerated().map { depth, part in
            String(repeating: " ", count: indent + 2 * depth) + (depth == parts.count - 1 ? "\(part): \(value)" : "\(part):")
        }.joined(separator: "\n")
    }

    /// The written value as the number it denotes.
    static func number(_ text: String) -> Double {
        switch text {
        case ".nan": return .nan
        case ".inf": return .infinity
        case "-.inf": return -.infinity
        default: return Double(text)!
        }
    }

    static func values(for bound: NumericBound, _ rng: inout SeededRandom) -> [String] {
        let lower = bound.range.lowerBound, upper = bound.range.upperBound
        var values = ["0", "-1", "1", "9223372036854775807", "-9223372036854775808", "1e308", "-1e308", "1e-300",
                      ".nan", ".inf", "-.inf", NumericBound.format(lower), NumericBound.format(upper)]
        values += bound.isInteger ? [String(Int(lower) - 1), String(Int(upper) + 1)]
                                  : [NumericBound.format(lower / 2), NumericBound.format(upper * 2)]
        for _ in 0..<6 {
            let magnitude = Double(rng.next() % 35) - 12
            let sign: Double = rng.next() % 4 == 0 ? -1 : 1
            values.append("\(sign * Double(rng.next() % 1000) * pow(10, magnitude))")
            values.append(String(Int64(bitPattern: rng.next()) >> (rng.next() % 63)))
        }
        return values
    }

    /// Every numeric key with the document that holds it.
    static func cases() -> [(bound: NumericBound, document: (String) -> String)] {
        let source = "sources:\n  s:\n    source_type: generator\n    topic: t\n"
        var cases: [(bound: NumericBound, document: (String) -> String)] = []
        for bound in SettingBounds.manager {
            cases.append((bound, { nested(bound.key, $0, indent: 0) + "\n" + source }))
        }
        for bound in SettingBounds.source {
            cases.append((bound, { source + nested(bound.key, $0, indent: 4) + "\n" }))
        }
        let registry = SourceTypeRegistry.shared
        for type in registry.registeredTypes {
            for (key, spec) in registry.schema(for: type)!.settings where spec.type == .integer || spec.type == .number {
                let bound = spec.bound ?? NumericBound(key, -1e300...1e300)
                let extra = type == "generator" ? "" : "      url: \"https://example.invalid/x\"\n"
                cases.append((bound, { "sources:\n  s:\n    source_type: \(type)\n    topic: t\n    connector:\n\(extra)"
                                         + nested(key, $0, indent: 6) + "\n" }))
            }
        }
        return cases
    }

    /// Runs every conversion of an accepted config, builds each connector, and fetches once
    /// from generators with the configured page size.
    static func exercise(_ config: StreamManagerConfig) async throws {
        let throttle = ThrottleSettings(config.throttling)
        _ = Throttler(settings: throttle, clock: SystemPipelineClock()).delay(forBatchOf: config.kafka.batchSize)
        _ = try KafkaProducerConfiguration(config.kafka, bootstrapServers: ["localhost:9092"], environment: [:]).librdkafkaProperties()
        _ = RedriveSettings(config.dlqRedrive).delay
        for (id, source) in config.sources {
            let ingestion = IngestionSettings(source.ingestion)
            let api = FetchPolicy.Settings(source: source, retryBackoffBase: config.kafka.retryBackoffBase)
            _ = RetryPolicy(maxRetries: api.maxRetries, baseDelay: api.retryBackoffBase).delay(forRetry: 100)
            let connector = try ConnectorRegistry.shared.makeConnector(sourceID: id, source: source, environment: [:])
            guard let generator = connector as? GeneratorConnector else { continue }
            let result = try await generator.fetch(FetchRequest(cursor: nil, maxRecords: ingestion.maxRecordsPerPoll))
            let bytes = result.records.reduce(0) { $0 + $1.value.count + ($1.key?.count ?? 0) }
            #expect(result.records.count <= ingestion.maxRecordsPerPoll)
            #expect(bytes <= GeneratorConnector.maxBytesPerFetch + 2 * SettingBounds.Generator.payloadBytes.intRange.upperBound,
                    "\(bytes) bytes in one fetch")
        }
    }

    @Test("every numeric key with extreme values: accepted only in range, and an accepted config runs")
    func everyKey() async throws {
        var rng = SeededRandom(state: 0xB0_0D5)
        var accepted = 0, refused = 0
        for (bound, document) in Self.cases() {
            for value in Self.values(for: bound, &rng) {
                let result = ConfigLoader.parse(document(value), options: .lenient)
                let n = Self.number(value)
                let inRange = bound.contains(n) && (!bound.isInteger || n.rounded(.towardZero) == n)
                guard let config = result.value else {
                    refused += 1
                    continue
                }
                accepted += 1
                #expect(inRange, "\(bound.key): \(value) was accepted")
                try await Self.exercise(config)
            }
        }
        #expect(accepted > 50 && refused > 200, "accepted \(accepted), refused \(refused)")
    }

    @Test("the worst case validation allows: a megabyte per record, a million per poll, as fast as possible")
    func worstAccepted() async throws {
        let text = """
            queue_max_size: 10000000
            sources:
              s:
                source_type: generator
                topic: t
                ingestion: {mode: continuous_streaming, polling_interval_seconds: 0.01, max_records_per_poll: 1000000,
                            buffer_size: 1000000, buffer_flush_interval_seconds: 86400, batch_size: 1000000}
                connector: {rate_per_second: 0, payload_bytes: 1048576, total_records: 1000000000000000, key_cardinality: 1000000000}
            """
        let config = try #require(ConfigLoader.parse(text).value)
        try await Self.exercise(config)
        let fast = try #require(ConfigLoader.parse(text.replacingOccurrences(of: "rate_per_second: 0", with: "rate_per_second: 1000000000")).value)
        try await Self.exercise(fast)
    }

    static let extremes: [Double] = [.nan, .infinity, -.infinity, 1e308, -1e308, 1e16, 0, -1, 1e-300, .leastNonzeroMagnitude]

    @Test("a source built in code skips validation: its durations and counts are clamped, never trusted")
    func unvalidatedSource() async throws {
        for x in Self.extremes {
            let ingestion = IngestionConfig(mode: .continuousStreaming, pollingIntervalSeconds: x, maxRecordsPerPoll: .max,
                                            bufferSize: .min, bufferFlushIntervalSeconds: x, batchSize: .max,
                                            scheduleIntervalSeconds: x)
            let source = SourceConfig(sourceType: "generator", topic: "t", ingestion: ingestion, rateLimitPerMinute: .max,
                                      timeoutSeconds: x, cacheTTLSeconds: x, maxRetries: .max,
                                      connector: ["rate_per_second": .double(x), "payload_bytes": .int(.max),
                                                  "total_records": .int(.min), "key_cardinality": .int(.min)])
            let settings = IngestionSettings(source.ingestion)
            #expect(settings.pollingInterval >= .milliseconds(10) && settings.pollingInterval <= .seconds(31_536_000), "\(x)")
            #expect(settings.bufferFlushInterval >= .milliseconds(10) && settings.bufferFlushInterval <= .seconds(86_400))
            #expect(settings.scheduleInterval >= .milliseconds(10) && settings.scheduleInterval <= .seconds(31_536_000))
            #expect(settings.maxRecordsPerPoll == 1_000_000 && settings.bufferSize == 1 && settings.batchSize == 1_000_000)
            if x.isNaN { #expect(settings.pollingInterval == .seconds(60)) }

            let api = FetchPolicy.Settings(source: source, retryBackoffBase: x)
            #expect(api.timeout >= .milliseconds(10) && api.timeout <= .seconds(3_600))
            #expect(api.cacheTTL >= .zero && api.cacheTTL <= .seconds(86_400))
            #expect(api.maxRetries == 100)
            #expect(api.retryBackoffBase >= .milliseconds(1) && api.retryBackoffBase <= .seconds(3_600))

            let connector = try ConnectorRegistry.shared.makeConnector(sourceID: "s", source: source, environment: [:])
            let generator = try #require(connector as? GeneratorConnector)
            #expect(generator.settings.payloadBytes == 1_048_576 && generator.settings.totalRecords == 0)
            #expect(generator.settings.keyCardinality == 1)
            #expect(SettingBounds.Generator.ratePerSecond.contains(generator.settings.ratePerSecond))
            let page = try await generator.fetch(FetchRequest(cursor: nil, maxRecords: .max))
            #expect(page.records.count <= 16, "\(page.records.count) records of a megabyte in one fetch")
            let end = try await generator.fetch(FetchRequest(cursor: String(UInt64.max), maxRecords: .max))
            #expect(end.records.isEmpty && end.nextCursor == String(UInt64.max))

            // The HTTP types build their request timeout from the source's timeout_seconds.
            var http = source
            http.sourceType = "http_json"
            http.connector = ["url": "https://example.invalid/feed"]
            _ = try ConnectorRegistry.shared.makeConnector(sourceID: "h", source: http, environment: [:])
        }
    }

    @Test("manager-wide settings built in code are clamped too")
    func unvalidatedManager() throws {
        for x in Self.extremes {
            let t = ThrottlingConfig(minSendRate: x, maxSendRate: x, targetConsumerLag: .max, criticalConsumerLag: .min,
                                     adjustmentFactor: x, recoveryCycles: .min)
            let settings = ThrottleSettings(t)
            #expect(settings.minSendRate >= 0.001 && settings.minSendRate <= 1e9)
            #expect(settings.maxSendRate.map { $0 >= 0.001 && $0 <= 1e9 } ?? true)
            #expect(settings.adjustmentFactor >= 1.01 && settings.adjustmentFactor <= 100)
            let throttler = Throttler(settings: settings)
            throttler.record(lag: .max)
            for _ in 0..<50 { _ = throttler.delay(forBatchOf: .max) }

            let k = KafkaConfig(batchSize: .max, lingerMs: .min, maxRetries: .max, retryBackoffBase: x)
            let producer = try KafkaProducerConfiguration(k, bootstrapServers: ["localhost:9092"], environment: [:])
            #expect(producer.batchRecords == 1_000_000 && producer.lingerMilliseconds == 0)

            let delay = RedriveSettings(DLQRedriveConfig(delaySeconds: x)).delay
            #expect(delay >= .zero && delay <= .seconds(31_536_000))
        }
        #expect(Saturating.wholeMilliseconds(seconds: .nan) == .zero && Saturating.wholeMilliseconds(seconds: -5) == .zero)
        #expect(Saturating.wholeMilliseconds(seconds: 1e308) == .seconds(Int64(Saturating.maxSeconds)))
        #expect(Saturating.wholeMilliseconds(seconds: 0.0125) == .milliseconds(13))
    }

    @Test("generator settings changed after init are clamped when the connector is built")
    func generatorSettings() async throws {
        var settings = GeneratorSettings(ratePerSecond: .nan, totalRecords: .min, payloadBytes: .max, keyCardinality: .min)
        #expect(settings == GeneratorSettings(ratePerSecond: 1, totalRecords: 0, payloadBytes: 1_048_576, keyCardinality: 1))
        settings.payloadBytes = .max
        settings.ratePerSecond = -.infinity
        settings.totalRecords = -5
        let connector = GeneratorConnector(sourceID: "g", settings: settings)
        #expect(connector.settings.payloadBytes == 1_048_576 && connector.settings.ratePerSecond == 0)
        let page = try await connector.fetch(FetchRequest(cursor: nil, maxRecords: 1_000_000))
        #expect(page.records.count == GeneratorConnector.maxBytesPerFetch / (1_048_576 + "g-".count + 20) && page.hasMore)
        #expect(page.records.allSatisfy { $0.value.count == 1_048_576 })
    }
}
