import Foundation
import Testing
@testable import StreamConfig

@Suite("Connector schemas and their registry")
struct ConnectorSchemaTests {
    func issues(_ type: String, _ settings: ConfigObject) -> [ConnectorIssue] {
        SourceTypeRegistry.shared.schema(for: type)!.validate(settings)
    }

    @Test("the six built-in types are registered with their contractual setting names")
    func builtins() {
        let registry = SourceTypeRegistry.withBuiltins()
        #expect(registry.registeredTypes == ["file", "generator", "http_json", "iot_sensor", "nasa_firms", "noaa_weather"])
        let names: [String: Set<String>] = [
            "http_json": ["url", "headers", "user_agent", "method", "body", "format", "records_path", "key_path",
                          "timestamp_path", "next_url_path", "cursor_field"],
            "noaa_weather": ["url", "headers", "user_agent", "kind", "area", "station"],
            "nasa_firms": ["url", "headers", "user_agent", "map_key", "product", "area", "day_range"],
            "iot_sensor": ["url", "headers", "user_agent", "records_path", "key_field", "fields_path", "data_path"],
            "file": ["path", "format", "follow"],
            "generator": ["rate_per_second", "total_records", "payload_bytes", "key_cardinality"],
        ]
        for (type, expected) in names {
            #expect(Set(registry.schema(for: type)!.settings.keys) == expected, "\(type)")
        }
    }

    @Test("generator: rate_per_second >= 0, total_records and payload_bytes >= 0, key_cardinality >= 1")
    func generator() {
        #expect(issues("generator", ["rate_per_second": 0, "total_records": 0, "payload_bytes": 0, "key_cardinality": 1]).isEmpty)
        #expect(issues("generator", ["rate_per_second": 2.5]).isEmpty)
        let bad = issues("generator", ["rate_per_second": -1, "total_records": 1.5, "payload_bytes": "big", "key_cardinality": 0])
        #expect(Set(bad.compactMap(\.key)) == ["rate_per_second", "total_records", "payload_bytes", "key_cardinality"])
        #expect(bad.allSatisfy { $0.severity == .error })
    }

    @Test("required settings, enums, cross-key rules and literal secrets")
    func rules() {
        #expect(issues("http_json", [:]).map(\.message) == ["missing required setting 'url'"])
        #expect(issues("http_json", ["url": "ftp://x"]).map(\.key) == ["url"])
        #expect(issues("http_json", ["url": "https://x", "format": "xml"]).first?.message
                == "unknown value 'xml'; allowed: json, csv")
        #expect(issues("noaa_weather", ["kind": "observations"]).map(\.message)
                == ["kind: observations needs 'station' (or a full 'url')"])
        #expect(issues("noaa_weather", ["kind": "observations", "station": "KOAK"]).isEmpty)
        #expect(issues("noaa_weather", ["area": "CA,OR"]).isEmpty)
        #expect(issues("nasa_firms", ["map_key": "${FIRMS_MAP_KEY}", "area": "-124,32,-114,42", "day_range": 10]).isEmpty)
        #expect(issues("nasa_firms", ["map_key": "${K}", "area": "10,0,5,1"]).map(\.key) == ["area"])
        #expect(issues("nasa_firms", ["map_key": "${K}", "day_range": 11]).map(\.key) == ["day_range"])
        let literal = issues("nasa_firms", ["map_key": "abcdef0123456789"])
        #expect(literal.map(\.severity) == [.warning] && literal.first?.message.contains("${MAP_KEY}") == true)
        #expect(issues("nasa_firms", ["url": "http://127.0.0.1:8080/firms.csv"]).isEmpty)
        #expect(issues("nasa_firms", ["map_key": "${K}", "product": "VIIRS_NOAA2O_NRT"]).first?.message
                .contains("did you mean 'VIIRS_NOAA20_NRT'?") == true)
        #expect(issues("iot_sensor", ["url": "https://x", "fields_path": "fields"]).map(\.key) == ["fields_path"])
        #expect(issues("iot_sensor", ["url": "https://x", "headers": ["X-API-Key": "plain"]]).map(\.severity) == [.warning])
        #expect(issues("file", ["path": "/data/*.jsonl", "format": "jsonl", "follow": true]).isEmpty)
        #expect(issues("file", ["path": "/x", "follow": "yes"]).map(\.key) == ["follow"])
    }

    @Test("libraries register their own types; the registry is safe to use from many tasks")
    func register() async {
        let registry = SourceTypeRegistry.withBuiltins()
        let custom = ConnectorSchema(summary: "test", settings: ["depth": SettingSpec(.integer, minimum: 1)],
                                     required: ["depth"], check: { settings in
            settings["depth"]?.intValue == 13 ? [.error("unlucky", key: "depth")] : []
        })
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask {
                    registry.register(SchemaOnlySourceType(name: "custom_\(i % 5)", schema: custom))
                    _ = registry.registeredTypes
                    _ = registry.schema(for: "generator")
                }
            }
        }
        #expect(registry.registeredTypes.count == 11)
        let options = ValidationOptions(registry: registry)
        let ok = ConfigLoader.parseSourceDocument("source_type: custom_1\nconnector: {depth: 2}\n", options: options)
        #expect(ok.diagnostics.isEmpty)
        let unlucky = ConfigLoader.parseSourceDocument("source_type: custom_1\nconnector: {depth: 13}\n", options: options)
        expectDiagnostic(unlucky.diagnostics, at: "connector.depth", line: 2, column: 20, containing: "unlucky")
        // The shared registry does not know it.
        let unknown = ConfigLoader.parseSourceDocument("source_type: custom_1\n")
        expectDiagnostic(unknown.diagnostics, at: "source_type", line: 1, column: 14, containing: "unknown source_type 'custom_1'")
        registry.unregister(type: "custom_1")
        #expect(registry.schema(for: "custom_1") == nil)
    }
}

/// A type known to validation only by its schema (a library that validates configs it runs elsewhere).
struct SchemaOnlySourceType: SourceTypeSpec {
    let name: String
    let schema: ConnectorSchema
    var fetchesMayBeCached: Bool { false }
    func settings(from connector: ConfigObject) -> ConfigObject { connector }
}

@Suite("Names, globs and suggestions")
struct NamesTests {
    @Test("Kafka topic name rules")
    func topics() {
        #expect(TopicName.problem("wildfire-weather_data.v1") == nil)
        #expect(TopicName.problem("") != nil)
        #expect(TopicName.problem(".") != nil && TopicName.problem("..") != nil)
        #expect(TopicName.problem(String(repeating: "a", count: 249)) == nil)
        #expect(TopicName.problem(String(repeating: "a", count: 250)) != nil)
        #expect(TopicName.problem("a b")?.contains("' '") == true)
        #expect(TopicName.problem("é") != nil)
        #expect(TopicName.warning("a.b_c") != nil && TopicName.warning("a-b") == nil)
    }

    @Test("source id rules")
    func sourceIDs() {
        #expect(SourceID.problem("noaa_weather_ca") == nil)
        #expect(SourceID.problem("9lives") == nil)
        #expect(SourceID.problem("") != nil)
        #expect(SourceID.problem("__internal")?.contains("reserved") == true)
        #expect(SourceID.problem("a.b") != nil)
        #expect(SourceID.problem("a/b") != nil)
        #expect(SourceID.problem("_a") != nil)
        #expect(SourceID.problem(String(repeating: "a", count: 201)) != nil)
    }

    @Test("globs")
    func globs() {
        #expect(Glob.matches("noaa_*", "noaa_weather_ca"))
        #expect(Glob.matches("*", ""))
        #expect(Glob.matches("a?c", "abc") && !Glob.matches("a?c", "ac"))
        #expect(Glob.matches("*_ca", "noaa_weather_ca") && !Glob.matches("*_ca", "noaa_weather_or"))
        #expect(!Glob.matches("noaa", "noaa_x"))
        #expect(Glob.matches("a*b*c", "aXXbYYc") && !Glob.matches("a*b*c", "aXXbYY"))
    }

    @Test("did you mean")
    func suggestions() {
        let keys = ["polling_interval_seconds", "max_records_per_poll", "buffer_size", "mode"]
        #expect(KeySuggestion.closest(to: "polling_interval_secs", in: keys) == "polling_interval_seconds")
        #expect(KeySuggestion.closest(to: "bufer_size", in: keys) == "buffer_size")
        #expect(KeySuggestion.closest(to: "buffer_szie", in: keys) == "buffer_size")
        #expect(KeySuggestion.closest(to: "Mode", in: keys) == "mode")
        #expect(KeySuggestion.closest(to: "colour", in: keys) == nil)
        #expect(KeySuggestion.editDistance("ab", "ba") == 1)
        #expect(KeySuggestion.editDistance("kitten", "sitting") == 3)
    }
}
