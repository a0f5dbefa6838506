import Foundation
import Testing
@testable import StreamConfig

@Suite("Syntax errors: position and the offending line, secrets masked")
struct SyntaxErrorTests {
    func only(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Diagnostic? {
        let result = parse(text)
        #expect(result.value == nil && result.usable == nil, sourceLocation: sourceLocation)
        #expect(result.diagnostics.count == 1, "\(result.diagnostics.rendered)", sourceLocation: sourceLocation)
        return result.diagnostics.first
    }

    @Test("YAML: a mapping value where none is allowed")
    func badMappingValue() throws {
        let d = try #require(only("sources:\n  a:\n    topic: x: y\n"))
        #expect(d.severity == .error && d.path.isEmpty)
        #expect((d.line, d.column) == (3, 13))
        #expect(d.message.hasPrefix("syntax error: mapping values are not allowed"))
        #expect(d.message.hasSuffix(": `topic: x: y`"))
        #expect(d.excerpt == "    topic: x: y")
    }

    @Test("YAML: an unclosed flow sequence reports where it opened")
    func unclosed() throws {
        let d = try #require(only("sources:\n  a:\n    source_type: generator\n    topic: [a\n"))
        #expect(d.line == 5 && d.column == 1)
        #expect(d.message.contains("while parsing a flow sequence at 4:12"))
        #expect(d.message.hasSuffix("`topic: [a`"))
    }

    @Test("YAML: tabs cannot indent")
    func tabs() throws {
        let d = try #require(only("kafka:\n\tbatch_size: 1\n"))
        #expect(d.line == 2 && d.column == 1)
        #expect(d.message.contains("syntax error"))
    }

    @Test("JSON: a missing comma")
    func jsonMissingComma() throws {
        let d = try #require(only("{\n  \"kafka\": {\"batch_size\": 1}\n  \"sources\": {}\n}\n"))
        #expect(d.line == 3 && d.column == 3)
        #expect(d.message.contains("syntax error"))
        #expect(d.message.hasSuffix("`\"sources\": {}`"))
    }

    @Test("JSON: an unterminated string")
    func jsonUnterminated() throws {
        let d = try #require(only("{\"kafka\": {\"client_id\": \"abc}}\n"))
        #expect(d.line == 2 && d.column == 1)
        #expect(d.message.contains("found unexpected end of stream"))
    }

    @Test("a second YAML document is refused")
    func twoDocuments() throws {
        let d = try #require(only("kafka: {}\n---\nkafka: {}\n"))
        #expect((d.line, d.column) == (2, 1))
        #expect(d.message == "syntax error: expected a single document in the stream, but found another document: `---`")
    }

    @Test("duplicate keys are reported at the first occurrence")
    func duplicateKeys() throws {
        let d = try #require(only("sources:\n  a: {source_type: generator}\n  a: {source_type: file}\n"))
        #expect((d.line, d.column) == (2, 3))
        #expect(d.message.contains("duplicate key 'a'"))
    }

    @Test("secret-looking values in the offending line are masked")
    func masked() throws {
        let text = "sources:\n  a:\n    connector:\n      api_key: sk_live_abcdefghij0123456789: x\n"
        let d = try #require(only(text))
        #expect(d.line == 4)
        #expect(!d.message.contains("sk_live"), "\(d.message)")
        #expect(d.excerpt?.contains("***") == true)
        #expect(d.formatted(file: "f.yaml").hasPrefix("f.yaml:4:"))
    }

    @Test("the masker keeps env references and masks keys, tokens, URL passwords, query secrets")
    func masker() {
        #expect(SecretMasker.maskLine("  map_key: abcdef") == "  map_key: ***")
        #expect(SecretMasker.maskLine("  map_key: ${FIRMS_MAP_KEY}") == "  map_key: ${FIRMS_MAP_KEY}")
        #expect(SecretMasker.maskLine("url: https://user:hunter2@host/x") == "url: https://user:***@host/x")
        #expect(SecretMasker.maskLine("url: https://h/p?api_key=abc&x=1") == "url: https://h/p?api_key=***&x=1")
        #expect(SecretMasker.maskLine("url: https://h/csv/0123456789abcdef0123456789abcdef/VIIRS")
                == "url: https://h/csv/***/VIIRS")
        #expect(SecretMasker.maskLine("  topic: wildfire-weather-data") == "  topic: wildfire-weather-data")
    }

    @Test("undecodable bytes, custom tags, aliases and merge keys")
    func oddities() throws {
        let bytes = Data("kafka:\n  client_id: ab".utf8) + Data([0xFF, 0xFE]) + Data("\n".utf8)
        let bad = ConfigLoader.parse(data: bytes)
        #expect(bad.diagnostics.count == 1)
        #expect(bad.diagnostics.first?.position == Position(line: 2, column: 16))
        #expect(bad.diagnostics.first?.message == "the file is not valid UTF-8 text")

        let tagged = parse("kafka: !custom {batch_size: 1}\n")
        #expect(tagged.diagnostics.first?.message.contains("unsupported YAML tag '!custom'") == true)
        #expect(tagged.diagnostics.first?.position == Position(line: 1, column: 8))

        // Anchors, aliases and `<<` merge keys share settings between sources.
        let shared = """
            defaults: &d {source_type: generator, topic: t, ingestion: {mode: real_time, polling_interval_seconds: 5}}
            """
        let merged = parse(shared + "\nsources:\n  a: {<<: *d, topic: own}\n  b: *d\n", options: .lenient)
        let config = try #require(merged.value)
        #expect(config.sources["a"]?.topic == "own")
        #expect(config.sources["a"]?.ingestion.pollingIntervalSeconds == 5)
        #expect(config.sources["b"]?.topic == "t")
        #expect(merged.diagnostics.map(\.path) == ["defaults"])  // unknown top-level key, a warning here

        let explicit = parse("queue_max_size: !!int \"12\"\nenable_dlq: !!bool \"false\"\n")
        #expect(explicit.value?.queueMaxSize == 12 && explicit.value?.enableDLQ == false)
    }

    @Test("alias expansion is bounded")
    func aliasBomb() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...8 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let start = ContinuousClock.now
        let result = parse(text)
        #expect(result.diagnostics.contains { $0.message.contains("expands to more than") })
        #expect(ContinuousClock.now - start < .seconds(20))
    }
}
