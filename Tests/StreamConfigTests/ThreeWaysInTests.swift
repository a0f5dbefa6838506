import Foundation
import Testing
@testable import StreamConfig

/// YAML, JSON and Swift code must give equal values.
@Suite("Three ways in: YAML, JSON and code")
struct ThreeWaysInTests {
    static let yaml = """
        # comments are formatting
        kafka:
          bootstrap_servers: "broker-1:9092,broker-2:9092"
          client_id: wildfire
          compression_type: zstd
          batch_size: 250
          linger_ms: 20
          max_retries: 5
          retry_backoff_base: 1.5
          properties:
            acks: all
            enable.idempotence: true
            message.timeout.ms: 30000
            sasl.password: ${KAFKA_PASSWORD}
        throttling:
          enabled: false
          min_send_rate: 2
          max_send_rate: 500.5
          target_consumer_lag: 100
          critical_consumer_lag: 900
          adjustment_factor: 1.5
          recovery_cycles: 4
          consumer_group: downstream
        queue_max_size: 5000
        queue_max_bytes: 1048576
        queue_overflow_strategy: block
        enable_dlq: false
        manager:
          config_topic: cfg
          status_topic: st
          offsets_topic: off
          config_topic_partitions: 3
          group_id: g
          session_timeout_ms: 12000
          instance_id: m-0
          status_interval_seconds: 5
          http_port: 0
        topic_routing:
          custom: {iot: iot-topic}
          patterns:
            - {match: "noaa_*", topic: weather}
            - {match: nasa_firms, on: source_type, topic: fires}
          content_rules:
            - {field: severity, equals: Extreme, topic: critical, priority: high}
            - {field: code, matches: "^A[0-9]+$", topic: coded}
            - {field: confidence, equals: h, priority: critical}
          fallback_topic: unrouted
        sources:
          noaa_ca:
            source_type: noaa_weather
            topic: weather-ca
            priority: high
            ingestion:
              mode: continuous_streaming
              polling_interval_seconds: 30
              max_records_per_poll: 10
              buffer_size: 100
              buffer_flush_interval_seconds: 2.5
            rate_limit_per_minute: 120
            timeout_seconds: 30.0
            cache_ttl_seconds: 60
            max_retries: 2
            dlq_topic: weather-dlq
            connector:
              kind: alerts
              area: CA
              user_agent: "app (ops@example.org)"
              headers: {Accept: application/geo+json}
          firms:
            source_type: nasa_firms
            enabled: false
            ingestion:
              mode: batch
              batch_size: 1000
              schedule_interval_seconds: 3600
            connector:
              map_key: ${FIRMS_MAP_KEY}
              product: VIIRS_NOAA20_NRT
              area: world
              day_range: 2
        """

    static let json = """
        {
          "sources": {
            "firms": {
              "connector": {"day_range": 2, "area": "world", "product": "VIIRS_NOAA20_NRT", "map_key": "${FIRMS_MAP_KEY}"},
              "ingestion": {"schedule_interval_seconds": 3600, "batch_size": 1000, "mode": "batch"},
              "enabled": false,
              "source_type": "nasa_firms"
            },
            "noaa_ca": {
              "source_type": "noaa_weather", "topic": "weather-ca", "priority": "high",
              "ingestion": {"mode": "continuous_streaming", "polling_interval_seconds": 30.0,
                            "max_records_per_poll": 10, "buffer_size": 100, "buffer_flush_interval_seconds": 2.5},
              "rate_limit_per_minute": 120, "timeout_seconds": 30, "cache_ttl_seconds": 60.0,
              "max_retries": 2, "dlq_topic": "weather-dlq",
              "connector": {"headers": {"Accept": "application/geo+json"}, "user_agent": "app (ops@example.org)",
                            "area": "CA", "kind": "alerts"}
            }
          },
          "topic_routing": {
            "fallback_topic": "unrouted",
            "content_rules": [
              {"field": "severity", "equals": "Extreme", "topic": "critical", "priority": "high"},
              {"field": "code", "matches": "^A[0-9]+$", "topic": "coded"},
              {"priority": "critical", "equals": "h", "field": "confidence"}
            ],
            "patterns": [{"match": "noaa_*", "topic": "weather"}, {"match": "nasa_firms", "on": "source_type", "topic": "fires"}],
            "custom": {"iot": "iot-topic"}
          },
          "manager": {"http_port": 0, "status_interval_seconds": 5, "instance_id": "m-0", "session_timeout_ms": 12000,
                      "group_id": "g", "config_topic_partitions": 3, "offsets_topic": "off", "status_topic": "st",
                      "config_topic": "cfg"},
          "enable_dlq": false, "queue_overflow_strategy": "block", "queue_max_bytes": 1048576, "queue_max_size": 5000,
          "throttling": {"consumer_group": "downstream", "recovery_cycles": 4, "adjustment_factor": 1.5,
                         "critical_consumer_lag": 900, "target_consumer_lag": 100, "max_send_rate": 500.5,
                         "min_send_rate": 2.0, "enabled": false},
          "kafka": {"properties": {"sasl.password": "${KAFKA_PASSWORD}", "message.timeout.ms": 30000,
                                   "enable.idempotence": true, "acks": "all"},
                    "retry_backoff_base": 1.5, "max_retries": 5, "linger_ms": 20, "batch_size": 250,
                    "compression_type": "zstd", "client_id": "wildfire", "bootstrap_servers": "broker-1:9092,broker-2:9092"}
        }
        """

    static let code = StreamManagerConfig(
        kafka: KafkaConfig(bootstrapServers: "broker-1:9092,broker-2:9092", clientID: "wildfire",
                           compressionType: .zstd, batchSize: 250, lingerMs: 20, maxRetries: 5,
                           retryBackoffBase: 1.5,
                           properties: ["acks": "all", "enable.idempotence": "true", "message.timeout.ms": "30000",
                                        "sasl.password": "${KAFKA_PASSWORD}"]),
        throttling: ThrottlingConfig(enabled: false, minSendRate: 2, maxSendRate: 500.5, targetConsumerLag: 100,
                                     criticalConsumerLag: 900, adjustmentFactor: 1.5, recoveryCycles: 4,
                                     consumerGroup: "downstream"),
        queueMaxSize: 5000,
        queueMaxBytes: 1_048_576,
        queueOverflowStrategy: .block,
        enableDLQ: false,
        manager: ManagerConfig(configTopic: "cfg", statusTopic: "st", offsetsTopic: "off", configTopicPartitions: 3,
                               groupID: "g", sessionTimeoutMs: 12000, instanceID: "m-0", statusIntervalSeconds: 5,
                               httpPort: 0),
        topicRouting: TopicRoutingConfig(
            custom: ["iot": "iot-topic"],
            patterns: [TopicPattern(match: "noaa_*", topic: "weather"),
                       TopicPattern(match: "nasa_firms", on: .sourceType, topic: "fires")],
            contentRules: [ContentRule(field: "severity", equals: "Extreme", topic: "critical", priority: .high),
                           ContentRule(field: "code", matches: "^A[0-9]+$", topic: "coded"),
                           ContentRule(field: "confidence", equals: "h", priority: .critical)],
            fallbackTopic: "unrouted"),
        sources: [
            "noaa_ca": SourceConfig(
                sourceType: "noaa_weather", topic: "weather-ca", priority: .high,
                ingestion: IngestionConfig(mode: .continuousStreaming, pollingIntervalSeconds: 30, maxRecordsPerPoll: 10,
                                           bufferSize: 100, bufferFlushIntervalSeconds: 2.5),
                rateLimitPerMinute: 120, timeoutSeconds: 30, cacheTTLSeconds: 60, maxRetries: 2, dlqTopic: "weather-dlq",
                connector: ["kind": "alerts", "area": "CA", "user_agent": "app (ops@example.org)",
                            "headers": ["Accept": "application/geo+json"]]),
            "firms": SourceConfig(
                sourceType: "nasa_firms", enabled: false,
                ingestion: IngestionConfig(mode: .batch, batchSize: 1000, scheduleIntervalSeconds: 3600),
                connector: ["map_key": "${FIRMS_MAP_KEY}", "product": "VIIRS_NOAA20_NRT", "area": "world", "day_range": 2]),
        ])

    @Test("a YAML file, a JSON file and Swift code give equal values")
    func equalValues() throws {
        let fromYAML = parse(Self.yaml)
        let fromJSON = parse(Self.json)
        #expect(fromYAML.diagnostics.isEmpty, "\(fromYAML.diagnostics.rendered)")
        #expect(fromJSON.diagnostics.isEmpty, "\(fromJSON.diagnostics.rendered)")
        let y = try #require(fromYAML.value)
        let j = try #require(fromJSON.value)
        #expect(y == j)
        #expect(y == Self.code)
        #expect(Self.code.validate().isEmpty, "\(Self.code.validate().rendered)")
        for id in y.sources.keys {
            #expect(y.sources[id]!.configHash == Self.code.sources[id]!.configHash)
        }
    }

    @Test("an empty mapping, an empty file and the default initialiser agree on every default")
    func defaults() throws {
        let fromText = try #require(parse("{}").value)
        #expect(fromText == StreamManagerConfig())
        #expect(parse("").value == StreamManagerConfig())
        #expect(parse("").diagnostics.map(\.severity) == [.warning])
        let d = StreamManagerConfig()
        #expect(d.kafka.bootstrapServers == "localhost:9092")
        #expect(d.throttling.adjustmentFactor == 2.0 && d.throttling.recoveryCycles == 10)
        #expect(d.manager.configTopic == "stream-config" && d.manager.statusTopic == "stream-status"
                && d.manager.offsetsTopic == "stream-offsets" && d.manager.configTopicPartitions == 12
                && d.manager.groupID == "stream-manager" && d.manager.sessionTimeoutMs == 10_000
                && d.manager.instanceID == nil && d.manager.statusIntervalSeconds == 30 && d.manager.httpPort == 8080)
        // The defaults lose nothing: a full queue blocks ingestion, and nothing caps the send rate.
        #expect(d.queueMaxSize == 10_000 && d.queueOverflowStrategy == .block && d.enableDLQ)
        #expect(d.throttling.maxSendRate == 0 && d.throttling.enabled)
    }

    @Test("a single source entry parses on its own, as YAML, JSON and code")
    func sourceDocument() throws {
        let yaml = """
            source_type: generator
            topic: demo
            ingestion: {mode: continuous_streaming, polling_interval_seconds: 0.5}
            connector:
              rate_per_second: 10
              total_records: 0
              payload_bytes: 64
              key_cardinality: 4
            """
        let json = #"{"connector":{"key_cardinality":4,"payload_bytes":64,"total_records":0,"rate_per_second":10},"#
            + #""ingestion":{"polling_interval_seconds":0.5,"mode":"continuous_streaming"},"topic":"demo","source_type":"generator"}"#
        let code = SourceConfig(sourceType: "generator", topic: "demo",
                                ingestion: IngestionConfig(mode: .continuousStreaming, pollingIntervalSeconds: 0.5),
                                connector: ["rate_per_second": 10, "total_records": 0, "payload_bytes": 64, "key_cardinality": 4])
        let a = ConfigLoader.parseSourceDocument(yaml, sourceID: "demo_gen")
        let b = ConfigLoader.parseSourceDocument(json)
        #expect(a.diagnostics.isEmpty && b.diagnostics.isEmpty, "\(a.diagnostics.rendered) \(b.diagnostics.rendered)")
        #expect(a.value == code)
        #expect(b.value == code)
        #expect(ConfigValidator.validate(source: code, id: "demo_gen").isEmpty)
    }

    @Test("canonical JSON parses back to an equal source")
    func canonicalRoundTrip() throws {
        for (id, source) in Self.code.sources {
            let back = ConfigLoader.parseSourceDocument(source.canonicalJSON, sourceID: id)
            #expect(back.diagnostics.isEmpty, "\(back.diagnostics.rendered)")
            #expect(back.value == source)
        }
    }

    @Test("a source_id field must match the key it is stored under")
    func sourceIDField() {
        let ok = ConfigLoader.parseSourceDocument("source_id: a\nsource_type: generator\n", sourceID: "a")
        #expect(ok.diagnostics.isEmpty)
        let bad = ConfigLoader.parseSourceDocument("source_id: b\nsource_type: generator\n", sourceID: "a")
        expectDiagnostic(bad.diagnostics, at: "source_id", line: 1, column: 12, containing: "does not match")
        let inFile = parse("sources:\n  a:\n    source_id: b\n    source_type: generator\n    topic: t\n")
        expectDiagnostic(inFile.diagnostics, at: "sources.a.source_id", line: 3, column: 16, containing: "does not match")
    }

    @Test("the V1 API's errors: Config file not found, Source not configured, Source is disabled")
    func seedErrors() throws {
        let missing = ConfigLoader.load(contentsOf: "/nonexistent/stream_config.yaml")
        #expect(missing.diagnostics.map(\.message) == ["Config file not found: /nonexistent/stream_config.yaml"])
        #expect(throws: ConfigError.fileNotFound(path: "/nonexistent/x.yaml")) {
            try ConfigLoader.loadOrThrow(contentsOf: "/nonexistent/x.yaml")
        }
        #expect(ConfigError.fileNotFound(path: "a.yaml").description == "Config file not found: a.yaml")
        let config = Self.code
        #expect(throws: ConfigError.sourceNotConfigured(id: "nope")) { try config.enabledSource("nope") }
        #expect(throws: ConfigError.sourceDisabled(id: "firms")) { try config.enabledSource("firms") }
        #expect(ConfigError.sourceNotConfigured(id: "x").description == "Source not configured: x")
        #expect(ConfigError.sourceDisabled(id: "x").description == "Source is disabled: x")
        #expect(try config.enabledSource("noaa_ca").sourceType == "noaa_weather")
    }
}
