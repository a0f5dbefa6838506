import Pipeline
import StreamConfig
import Testing
@testable import Connectors

@Suite("Source types: one descriptor per type, read by validation and the runtime")
struct SourceTypesTests {
    @Test("every built-in type validation knows has a factory, and the runtime knows no other")
    func everyBuiltinRuns() {
        for spec in BuiltinSourceTypes.all {
            #expect(spec is any SourceType, "\(spec.name) has no factory")
        }
        #expect(ConnectorRegistry.shared.registeredTypes == SourceTypeRegistry.withBuiltins().registeredTypes)
        #expect(ConnectorRegistry.shared.registeredTypes
                == ["file", "generator", "http_json", "iot_sensor", "nasa_firms", "noaa_weather"])
    }

    @Test("a type registered once is validated and built from the same descriptor")
    func registeredOnce() throws {
        struct Echo: SourceType {
            var name: String { "echo_test" }
            var fetchesMayBeCached: Bool { false }
            var schema: ConnectorSchema { ConnectorSchema(settings: ["word": SettingSpec(.string)], required: ["word"]) }
            func settings(from connector: ConfigObject) throws(SourceSettingsError) -> String {
                guard let word = connector["word"]?.stringValue else { throw SourceSettingsError("echo_test: 'word' is required") }
                return word
            }
            func makeConnector(_ settings: String, context: ConnectorContext) -> any SourceConnector {
                GeneratorConnector(sourceID: settings, settings: GeneratorSettings())
            }
        }
        let types = SourceTypeRegistry.withBuiltins()
        let registry = ConnectorRegistry(types: types)
        registry.register(Echo())
        let options = ValidationOptions(registry: types)
        #expect(ConfigLoader.parseSourceDocument("source_type: echo_test\ntopic: t\nconnector: {word: hi}\n", options: options)
            .diagnostics.isEmpty)
        #expect(!ConfigLoader.parseSourceDocument("source_type: echo_test\ntopic: t\n", options: options).diagnostics.isEmpty)
        let connector = try registry.makeConnector(sourceID: "s", source: SourceConfig(sourceType: "echo_test", connector: ["word": "hi"]),
                                                   environment: [:])
        #expect((connector as? GeneratorConnector)?.sourceID == "hi")
        #expect(throws: ConnectorRegistryError.invalidSettings("echo_test: 'word' is required")) {
            try registry.makeConnector(sourceID: "s", source: SourceConfig(sourceType: "echo_test"), environment: [:])
        }
        #expect(!ConnectorRegistry.shared.registeredTypes.contains("echo_test"))
    }
}
