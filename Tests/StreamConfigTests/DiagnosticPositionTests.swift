import Testing
@testable import StreamConfig

/// Every kind of diagnostic, at its exact line and column, in YAML and in JSON.
@Suite("Diagnostics point at the exact spot")
struct DiagnosticPositionTests {
    static let yaml = """
        kafka:
          compression_type: gz
          batch_size: 0
          linger_ms: -1
        throttling:
          min_send_rate: 10
          max_send_rate: 5
          target_consumer_lag: 500
          critical_consumer_lag: 500
          adjustment_factor: 1
        queue_overflow_strategy: drop_everything
        enable_dlq: yes
        manager:
          status_topic: "bad/topic"
          http_port: 70000
        sources:
          noaa:
            source_type: noaa_weather
            topic: weather
            ingestion:
              mode: real_time
              polling_interval_secs: 30
              polling_interval_seconds: -5
            timeout_seconds: thirty
            connector: {kind: alerts, area: California}
          __internal:
            source_type: generator
            topic: t
          firms:
            source_type: nasa_firms
            topic: fires
            ingestion:
              mode: batch
          x:
            source_type: weather_api
            topic: x
        """

    @Test("dlq_redrive: decoded with defaults; negative values and unknown keys are pointed at")
    func dlqRedrive() {
        let good = parse("dlq_redrive:\n  delay_seconds: 2.5\n").value
        #expect(good?.dlqRedrive == DLQRedriveConfig(enabled: true, delaySeconds: 2.5, maxRedrives: 3))
        let d = parse("dlq_redrive:\n  delay_seconds: -1\n  max_redrives: -2\n  max_redrive: 1\n").diagnostics
        expectDiagnostic(d, at: "dlq_redrive.delay_seconds", line: 2, column: 18, containing: "must be between 0 and 31536000 seconds, got -1")
        expectDiagnostic(d, at: "dlq_redrive.max_redrives", line: 3, column: 17, containing: "must be between 0 and 1000, got -2")
        expectDiagnostic(d, at: "dlq_redrive.max_redrive", line: 4, column: 3, containing: "did you mean 'max_redrives'?")
    }

    @Test("YAML: types, ranges, enums, unknown keys, names, modes, source types, connector settings")
    func yamlKinds() {
        let d = parse(Self.yaml).diagnostics
        expectDiagnostic(d, at: "kafka.compression_type", line: 2, column: 21,
                         containing: "unknown value 'gz'; allowed: none, gzip, snappy, lz4, zstd; did you mean 'gzip'?")
        expectDiagnostic(d, at: "kafka.batch_size", line: 3, column: 15, containing: "must be between 1 and 1000000 records, got 0")
        expectDiagnostic(d, at: "kafka.linger_ms", line: 4, column: 14, containing: "must be between 0 and 900000 ms, got -1")
        expectDiagnostic(d, at: "throttling.min_send_rate", line: 6, column: 18,
                         containing: "min_send_rate (10) is greater than max_send_rate (5)")
        expectDiagnostic(d, at: "throttling.target_consumer_lag", line: 8, column: 24,
                         containing: "must be less than critical_consumer_lag")
        expectDiagnostic(d, at: "throttling.adjustment_factor", line: 10, column: 22, containing: "must be between 1.01 and 100, got 1")
        expectDiagnostic(d, at: "queue_overflow_strategy", line: 11, column: 26,
                         containing: "allowed: drop_oldest, drop_newest, block")
        expectDiagnostic(d, at: "enable_dlq", line: 12, column: 13, containing: "expected true or false, got a string (\"yes\")")
        expectDiagnostic(d, at: "manager.status_topic", line: 14, column: 17, containing: "contains '/'")
        expectDiagnostic(d, at: "manager.http_port", line: 15, column: 14, containing: "must be between 0 and 65535, got 70000")
        expectDiagnostic(d, at: "sources.noaa.ingestion.polling_interval_secs", line: 22, column: 7,
                         containing: "unknown key 'polling_interval_secs'; did you mean 'polling_interval_seconds'?")
        expectDiagnostic(d, at: "sources.noaa.ingestion.polling_interval_seconds", line: 23, column: 33,
                         containing: "must be between 0.01 and 31536000 seconds, got -5")
        expectDiagnostic(d, at: "sources.noaa.timeout_seconds", line: 24, column: 22,
                         containing: "expected a number, got a string (\"thirty\")")
        expectDiagnostic(d, at: "sources.noaa.connector.area", line: 25, column: 37, containing: "two-letter")
        expectDiagnostic(d, at: "sources.__internal", line: 26, column: 3, containing: "reserved")
        expectDiagnostic(d, at: "sources.firms.ingestion.schedule_interval_seconds", line: 33, column: 13,
                         containing: "batch mode needs 'schedule_interval_seconds'")
        expectDiagnostic(d, at: "sources.firms.connector", line: 29, column: 3, containing: "missing required setting 'map_key'")
        expectDiagnostic(d, at: "sources.x.source_type", line: 35, column: 18,
                         containing: "unknown source_type 'weather_api' (registered types: file, generator, http_json, iot_sensor, nasa_firms, noaa_weather)")
        #expect(d.count == 18, "\(d.rendered)")
        #expect(d == d.sortedByPosition())
    }

    static let json = """
        {
          "kafka": {"compression_type": "gz", "batch_size": 0},
          "sources": {
            "noaa": {
              "source_type": "noaa_weather",
              "topic": "weather",
              "ingestion": {"mode": "real_time", "polling_interval_secs": 30, "buffer_size": "lots"},
              "connector": {"area": "CA", "knd": "alerts"}
            },
            "__x": {"source_type": "generator", "topic": "t"}
          }
        }
        """

    @Test("JSON goes through the same parser and gets positions too")
    func jsonKinds() {
        let d = parse(Self.json).diagnostics
        expectDiagnostic(d, at: "kafka.compression_type", line: 2, column: 33, containing: "unknown value 'gz'")
        expectDiagnostic(d, at: "kafka.batch_size", line: 2, column: 53, containing: "must be between 1 and 1000000 records, got 0")
        expectDiagnostic(d, at: "sources.noaa.ingestion.polling_interval_secs", line: 7, column: 42,
                         containing: "did you mean 'polling_interval_seconds'?")
        expectDiagnostic(d, at: "sources.noaa.ingestion.buffer_size", line: 7, column: 86,
                         containing: "expected an integer, got a string (\"lots\")")
        expectDiagnostic(d, at: "sources.noaa.connector.knd", line: 8, column: 35,
                         containing: "unknown setting 'knd'")
        #expect(d.one(at: "sources.noaa.connector.knd")?.message.hasSuffix("did you mean 'kind'?") == true)
        expectDiagnostic(d, at: "sources.__x", line: 10, column: 5, containing: "reserved")
        #expect(d.count == 6, "\(d.rendered)")
    }

    @Test("unknown keys are errors for validate and warnings for the running operator")
    func unknownKeyPolicy() {
        let text = "sources:\n  a:\n    source_type: generator\n    topic: t\n    colour: blue\n    connector: {future_knob: 1}\n"
        let strict = parse(text)
        #expect(strict.value == nil)
        expectDiagnostic(strict.diagnostics, at: "sources.a.colour", line: 5, column: 5, containing: "unknown key 'colour'")
        expectDiagnostic(strict.diagnostics, at: "sources.a.connector.future_knob", line: 6, column: 17,
                         containing: "unknown setting 'future_knob'")
        let lenient = parse(text, options: .lenient)
        #expect(lenient.value?.sources["a"]?.sourceType == "generator")
        #expect(lenient.diagnostics.map(\.severity) == [.warning, .warning])
        let document = ConfigLoader.parseSourceDocument("source_type: generator\nnew_field: 1\n", options: .lenient)
        #expect(document.value != nil)
        expectDiagnostic(document.diagnostics, at: "new_field", .warning, line: 2, column: 1, containing: "unknown key")
    }

    @Test("more type errors: wrong shapes, fractions, quoted numbers, nulls")
    func typeErrors() {
        let text = """
            kafka: [a, b]
            queue_max_size: 10.5
            throttling:
              enabled: "true"
              recovery_cycles: ~
            sources:
              a:
                source_type: generator
                topic: 42
                ingestion: fast
                connector: [1]
            """
        let d = parse(text).diagnostics
        expectDiagnostic(d, at: "kafka", line: 1, column: 8, containing: "expected a mapping, got a list")
        expectDiagnostic(d, at: "queue_max_size", line: 2, column: 17, containing: "expected an integer, got a fractional number (10.5)")
        expectDiagnostic(d, at: "throttling.enabled", line: 4, column: 12, containing: "expected true or false")
        expectDiagnostic(d, at: "throttling.recovery_cycles", line: 5, column: 20, containing: "expected an integer, got null")
        expectDiagnostic(d, at: "sources.a.topic", line: 9, column: 12, containing: "expected a string, got an integer (42); quote it")
        expectDiagnostic(d, at: "sources.a.ingestion", line: 10, column: 16, containing: "expected a mapping, got a string")
        expectDiagnostic(d, at: "sources.a.connector", line: 11, column: 16, containing: "expected a mapping, got a list")
        #expect(d.count == 7, "\(d.rendered)")
    }

    @Test("missing source_type and empty entries")
    func missingRequired() {
        let d = parse("sources:\n  a:\n    topic: t\n  b:\n  c: {}\n").diagnostics
        expectDiagnostic(d, at: "sources.a.source_type", line: 2, column: 3, containing: "missing required key 'source_type'")
        expectDiagnostic(d, at: "sources.b", line: 4, column: 5, containing: "needs at least 'source_type'")
        expectDiagnostic(d, at: "sources.c.source_type", line: 5, column: 3, containing: "missing required key 'source_type'")
        #expect(d.count == 3, "\(d.rendered)")
    }

    @Test("source ids, topic names and routing rules")
    func namesAndRouting() {
        let longTopic = String(repeating: "t", count: 250)
        let text = """
            manager:
              config_topic: same
              status_topic: same
              offsets_topic: ".."
            topic_routing:
              custom: {"bad id": ok}
              patterns:
                - {match: "", topic: x}
              content_rules:
                - {field: a, topic: y}
                - {field: b, equals: 1, matches: "x", topic: y}
                - {field: c, matches: "([", topic: y}
              fallback_topic: \(longTopic)
            sources:
              "a.b": {source_type: generator, topic: t}
              "-a": {source_type: generator, topic: "my.topic_x"}
              ok_source: {source_type: generator, topic: "${TOPIC}"}
            """
        let d = parse(text).diagnostics
        expectDiagnostic(d, at: "manager.status_topic", line: 3, column: 17, containing: "must differ from manager.config_topic")
        expectDiagnostic(d, at: "manager.offsets_topic", line: 4, column: 18, containing: "not a valid topic name")
        expectDiagnostic(d, at: "topic_routing.custom.bad id", line: 6, column: 12, containing: "contains ' '")
        expectDiagnostic(d, at: "topic_routing.patterns[0].match", line: 8, column: 15, containing: "must not be empty")
        expectDiagnostic(d, at: "topic_routing.content_rules[0]", line: 10, column: 7, containing: "needs 'equals' or 'matches'")
        expectDiagnostic(d, at: "topic_routing.content_rules[1].matches", line: 11, column: 38, containing: "not both")
        expectDiagnostic(d, at: "topic_routing.content_rules[2].matches", line: 12, column: 27, containing: "not a valid regular expression")
        expectDiagnostic(d, at: "topic_routing.fallback_topic", line: 13, column: 19, containing: "at most 249 characters")
        expectDiagnostic(d, at: "sources.a.b", line: 15, column: 3, containing: "contains '.'")
        expectDiagnostic(d, at: "sources.-a", line: 16, column: 3, containing: "must start with a letter or a digit")
        expectDiagnostic(d, at: "sources.-a.topic", .warning, line: 16, column: 41, containing: "mixes '.' and '_'")
        expectDiagnostic(d, at: "sources.ok_source.topic", line: 17, column: 46, containing: "cannot reference the environment")
        #expect(d.count == 12, "\(d.rendered)")
    }

    @Test("content rules: a record priority to promote to, a topic, or both")
    func contentRulePriority() {
        let text = """
            topic_routing:
              content_rules:
                - {field: a, equals: 1}
                - {field: b, equals: 1, priority: urgent}
                - {field: c, equals: 1, priority: 5}
                - {field: d, equals: 1, topic: ~, priority: ~}
                - {field: e, equals: 1, priority: low}
                - {field: f, matches: "x", topic: t, priority: critical}
                - {field: g, equals: 1, topic: "", priority: high}
              fallback_topic: f
            """
        let d = parse(text).diagnostics
        expectDiagnostic(d, at: "topic_routing.content_rules[0]", line: 3, column: 7, containing: "needs 'topic'")
        expectDiagnostic(d, at: "topic_routing.content_rules[1].priority", line: 4, column: 39,
                         containing: "unknown value 'urgent'; allowed: critical, high, normal, low")
        expectDiagnostic(d, at: "topic_routing.content_rules[2].priority", line: 5, column: 39,
                         containing: "expected one of critical, high, normal, low")
        expectDiagnostic(d, at: "topic_routing.content_rules[3]", line: 6, column: 7, containing: "'priority'")
        expectDiagnostic(d, at: "topic_routing.content_rules[6].topic", line: 9, column: 36, containing: "cannot be empty")
        #expect(d.count == 5, "\(d.rendered)")
        // Built in code: the same rule, without a position.
        let code = StreamManagerConfig(topicRouting: TopicRoutingConfig(
            contentRules: [ContentRule(field: "confidence", equals: "h"),
                           ContentRule(field: "confidence", equals: "h", priority: .critical)],
            fallbackTopic: "f"))
        let fromCode = code.validate()
        #expect(fromCode.map(\.path) == ["topic_routing.content_rules[0]"], "\(fromCode.rendered)")
    }

    @Test("promotion-only content rules do not route: an unrouted source stays an error")
    func promotionOnlyRulesDoNotRoute() {
        let promoting = parse("""
            topic_routing: {content_rules: [{field: confidence, equals: h, priority: critical}]}
            sources:
              a: {source_type: generator}
            """).diagnostics
        expectDiagnostic(promoting, at: "sources.a", line: 3, column: 3, containing: "set 'topic'")
        let routing = parse("""
            topic_routing: {content_rules: [{field: confidence, equals: h, topic: hot}]}
            sources:
              a: {source_type: generator}
            """).diagnostics
        expectDiagnostic(routing, at: "sources.a", .warning, line: 3, column: 3, containing: "no content rule matches")
    }

    @Test("a source with no topic and nothing to route it")
    func unrouted() {
        let d = parse("sources:\n  a: {source_type: generator}\n").diagnostics
        expectDiagnostic(d, at: "sources.a", line: 2, column: 3, containing: "no 'topic'")
        let routed = parse("topic_routing: {fallback_topic: f}\nsources:\n  a: {source_type: generator}\n")
        #expect(routed.diagnostics.isEmpty)
        let byPattern = parse("topic_routing: {patterns: [{match: 'gen*', on: source_type, topic: g}]}\nsources:\n  a: {source_type: generator}\n")
        #expect(byPattern.diagnostics.isEmpty)
        // A lone source document does not know the manager's routing: no complaint.
        #expect(ConfigLoader.parseSourceDocument("source_type: generator").diagnostics.isEmpty)
    }

    @Test("mode requirements and settings another mode reads")
    func modes() {
        let text = """
            sources:
              a:
                source_type: generator
                topic: t
                ingestion:
                  mode: batch
                  schedule_interval_seconds: 0
                  buffer_size: 10
              b:
                source_type: generator
                topic: t
                ingestion: {mode: continuous_streaming}
            """
        let result = parse(text)
        let d = result.diagnostics
        expectDiagnostic(d, at: "sources.a.ingestion.schedule_interval_seconds", line: 7, column: 34, containing: "must be between 0.01 and 31536000 seconds, got 0")
        expectDiagnostic(d, at: "sources.a.ingestion.buffer_size", .warning, line: 8, column: 7,
                         containing: "'buffer_size' has no effect in batch mode")
        #expect(d.count == 2, "\(d.rendered)")
        // Continuous streaming gets the buffer defaults.
        let b = result.usable?.sources["b"]
        #expect(b?.ingestion.bufferSize == IngestionConfig.defaultBufferSize)
        #expect(b?.ingestion.bufferFlushIntervalSeconds == IngestionConfig.defaultBufferFlushIntervalSeconds)
        #expect(result.rejectedSources.keys.sorted() == ["a"])
    }

    @Test("environment references: malformed ones are errors, unset ones warnings")
    func environment() {
        let text = """
            kafka:
              properties: {sasl.password: "${KAFKA_PW}"}
            sources:
              a:
                source_type: http_json
                topic: t
                connector:
                  url: "https://example.org/?key=${API_KEY:-none}"
                  headers: {Authorization: "Bearer ${TOKEN"}
            """
        let options = ValidationOptions(environment: ["HOME": "/root"])
        let d = parse(text, options: options).diagnostics
        expectDiagnostic(d, at: "kafka.properties.sasl.password", .warning, line: 2, column: 31,
                         containing: "environment variable KAFKA_PW is not set")
        expectDiagnostic(d, at: "sources.a.connector.headers.Authorization", line: 9, column: 32,
                         containing: "malformed environment reference")
        #expect(d.count == 2, "\(d.rendered)")
        // Without an environment to check against, nothing is said about unset variables.
        #expect(parse(text).diagnostics.count == 1)
    }

    @Test("diagnostics format as FILE:LINE:COLUMN: severity: path: message")
    func formatting() {
        let d = Diagnostic(severity: .error, path: "sources.a.topic", line: 3, column: 12, message: "bad")
        #expect(d.formatted(file: "c.yaml") == "c.yaml:3:12: error: sources.a.topic: bad")
        let w = Diagnostic(severity: .warning, path: "", line: 0, column: 0, message: "m")
        #expect(w.formatted(file: "f") == "f:1:1: warning: m")
        let multiline = Diagnostic(severity: .error, path: "a", line: 1, column: 2, message: "key 'x\ny\u{01}'")
        #expect(multiline.formatted(file: "f") == #"f:1:2: error: a: key 'x\ny\u{1}'"#)
        #expect(d.sourceID == "a")
        #expect(Diagnostic.error("x", path: "kafka").sourceID == nil)
    }

    @Test("configs built in code get the same rules, without positions")
    func codeBuilt() {
        var config = StreamManagerConfig(sources: ["a": SourceConfig(sourceType: "generator", topic: "t")])
        config.throttling.targetConsumerLag = 9000
        config.sources["a"]?.ingestion.batchSize = 0
        let d = config.validate()
        #expect(d.map(\.path) == ["sources.a.ingestion.batch_size", "throttling.target_consumer_lag"])
        #expect(d.allSatisfy { $0.line == 0 && $0.column == 0 })
    }
}
