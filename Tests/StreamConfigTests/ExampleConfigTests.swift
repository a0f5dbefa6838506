import Foundation
import Testing
@testable import StreamConfig

/// The shipped configs must stay valid as the schema grows.
@Suite("config/stream_config.example.yaml and config/demo.yaml")
struct ExampleConfigTests {
    @Test("the example validates; only unset secrets are warned about")
    func example() throws {
        let result = ConfigLoader.load(contentsOf: Repo.path("config/stream_config.example.yaml"),
                                       options: ValidationOptions(environment: [:]))
        #expect(!result.hasErrors, "\(result.diagnostics.rendered)")
        #expect(result.diagnostics.allSatisfy { $0.severity == .warning && $0.message.contains("environment variable") })
        let config = try #require(result.value)
        #expect(Set(config.sources.keys) == ["noaa_weather", "nasa_firms", "iot_sensor"])
        #expect(config.sources["noaa_weather"]?.ingestion.mode == .continuousStreaming)
        #expect(config.sources["nasa_firms"]?.ingestion.mode == .batch)
        #expect(config.sources["nasa_firms"]?.connector["map_key"] == "${FIRMS_MAP_KEY}")
        #expect(config.sources["iot_sensor"]?.ingestion.mode == .continuousStreaming)
        #expect(config.topicRouting.staticTopic(sourceID: "iot_sensor", source: config.sources["iot_sensor"]!)
                == "wildfire-iot-sensors")
        // FIRMS detections with high confidence are promoted to critical (a promotion-only rule).
        #expect(config.topicRouting.contentRules.contains(
            ContentRule(field: "confidence", equals: "h", priority: .critical)))
        #expect(config.topicRouting.contentRules.allSatisfy { $0.topic != nil || $0.priority != nil })
        #expect(config.sources["nasa_firms"]?.priority == .high)
    }

    @Test("the example sets every key of the model")
    func everyOption() throws {
        let text = try Repo.text("config/stream_config.example.yaml")
        // Keys the example shows only as comments (they have no useful example value).
        let commentedOnly = ["instance_id", "station", "url", "headers", "method", "body", "format", "records_path",
                             "key_path", "timestamp_path", "next_url_path", "cursor_field", "path", "follow",
                             "rate_per_second", "total_records", "payload_bytes", "key_cardinality"]
        let keys = ["kafka", "bootstrap_servers", "client_id", "compression_type", "batch_size", "linger_ms",
                    "max_retries", "retry_backoff_base", "properties", "throttling", "enabled", "min_send_rate",
                    "max_send_rate", "target_consumer_lag", "critical_consumer_lag", "adjustment_factor",
                    "recovery_cycles", "consumer_group", "queue_max_size", "queue_max_bytes",
                    "queue_overflow_strategy", "enable_dlq", "dlq_redrive", "delay_seconds", "max_redrives", "manager", "config_topic", "status_topic",
                    "offsets_topic", "config_topic_partitions", "group_id", "session_timeout_ms",
                    "status_interval_seconds", "http_port", "http_auth", "username", "password", "restart_after_failures", "topic_routing", "custom", "patterns", "match", "on",
                    "topic", "content_rules", "field", "equals", "matches", "priority", "fallback_topic", "sources",
                    "source_type", "ingestion", "mode", "polling_interval_seconds", "max_records_per_poll",
                    "buffer_size", "buffer_flush_interval_seconds", "schedule_interval_seconds",
                    "rate_limit_per_minute", "timeout_seconds", "cache_ttl_seconds", "dlq_topic", "connector",
                    "kind", "area", "user_agent", "map_key", "product", "day_range", "fields_path", "data_path",
                    "key_field", "budgets", "requests", "interval_seconds", "hosts", "budget"]
        for key in keys {
            #expect(text.contains("\(key):"), "\(key) missing from the example")
        }
        let documentation = try Repo.text("docs/configuration.md")
        for key in keys + commentedOnly {
            #expect(documentation.contains("`\(key)`"), "\(key) missing from docs/configuration.md")
        }
    }

    @Test("the demo config is valid and offline: two generator sources, real_time and continuous")
    func demo() throws {
        let result = ConfigLoader.load(contentsOf: Repo.path("config/demo.yaml"),
                                       options: ValidationOptions(environment: [:]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.rendered)")
        let config = try #require(result.value)
        #expect(config.sources.count == 4)
        let generators = config.sources.values.filter { $0.sourceType == "generator" }
        #expect(generators.count == 2 && config.sources.values.allSatisfy { $0.topic != nil })
        #expect(Set(generators.map(\.ingestion.mode)) == [.realTime, .continuousStreaming])
        for source in generators {
            #expect(source.connector["total_records"] == 0)
            #expect(Set(source.connector.keys) == ["rate_per_second", "total_records", "payload_bytes", "key_cardinality"])
        }
        // The file replays read sample data shipped in the repository.
        for source in config.sources.values where source.sourceType == "file" {
            let path = try #require(source.connector["path"]?.stringValue)
            #expect(!FileManager.default.subpaths(atPath: Repo.path("config/demo-data"))!.isEmpty, "\(path)")
        }
        #expect(FileManager.default.fileExists(atPath: Repo.path("config/demo-data/fire_detections.csv")))
    }

    @Test("each source of the example is a valid source document on its own")
    func asDocuments() throws {
        let config = try #require(ConfigLoader.load(contentsOf: Repo.path("config/stream_config.example.yaml")).value)
        for (id, source) in config.sources {
            let document = ConfigLoader.parseSourceDocument(source.canonicalJSON, sourceID: id)
            #expect(document.value == source, "\(document.diagnostics.rendered)")
        }
    }
}
