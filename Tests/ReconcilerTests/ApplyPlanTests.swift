import Reconciler
import StreamConfig
import Testing

@Suite("apply / diff plan against the live config topic")
struct ApplyPlanTests {
    static func parse(_ yaml: String) throws -> [String: SourceConfig] {
        try #require(ConfigLoader.parse(yaml).value).sources
    }

    static func live(_ sources: [String: SourceConfig]) -> [String: LiveConfig] {
        sources.mapValues { LiveConfig(config: $0, configVersion: "kafka:0:1") }
    }

    static let yaml = """
        sources:
          a: {source_type: generator, topic: t, connector: {rate_per_second: 5}}
          b:
            source_type: generator
            topic: t
            ingestion: {mode: real_time, polling_interval_seconds: 2}
        """

    @Test("new sources are added; a second plan against what was published is empty")
    func addThenNothing() throws {
        let file = try Self.parse(Self.yaml)
        let first = planConfigChanges(file: file, live: [:], prune: false)
        #expect(first.map(\.line) == ["+ a", "+ b"])
        #expect(planConfigChanges(file: file, live: Self.live(file), prune: false).isEmpty)
    }

    @Test("the same sources as JSON, reordered and with defaults spelled out, publish nothing")
    func reformatted() throws {
        let file = try Self.parse(Self.yaml)
        let json = """
            {"sources": {"b": {"ingestion": {"polling_interval_seconds": 2.0, "mode": "real_time"}, "topic": "t",
                               "source_type": "generator", "enabled": true, "priority": "normal"},
                         "a": {"connector": {"rate_per_second": 5}, "topic": "t", "source_type": "generator"}}}
            """
        let other = try Self.parse(json)
        #expect(planConfigChanges(file: other, live: Self.live(file), prune: true).isEmpty)
    }

    @Test("a change names each field with old and new JSON; prune removes what the file lacks")
    func changeAndPrune() throws {
        let file = try Self.parse(Self.yaml)
        let edited = try Self.parse("""
            sources:
              b:
                source_type: generator
                topic: u
                ingestion: {mode: real_time, polling_interval_seconds: 3}
            """)
        let withoutPrune = planConfigChanges(file: edited, live: Self.live(file), prune: false)
        #expect(withoutPrune.map(\.line) == ["~ b (ingestion.polling_interval_seconds: 2 → 3, topic: \"t\" → \"u\")"])
        let pruned = planConfigChanges(file: edited, live: Self.live(file), prune: true)
        #expect(pruned.map(\.line) == ["- a", "~ b (ingestion.polling_interval_seconds: 2 → 3, topic: \"t\" → \"u\")"])
        #expect(pruned.first?.config == nil)
    }

    @Test("an unreadable live record is replaced")
    func unreadableLive() throws {
        let file = try Self.parse(Self.yaml)
        var live = Self.live(file)
        live["a"] = LiveConfig(config: nil, configVersion: "kafka:4:2")
        #expect(planConfigChanges(file: file, live: live, prune: false).map(\.line) == ["~ a (the live record is unreadable)"])
    }

    @Test("the published value is canonical JSON that parses back to the same config")
    func canonicalRoundTrip() throws {
        let file = try Self.parse(Self.yaml)
        for (id, config) in file {
            let back = try #require(ConfigLoader.parseSourceDocument(config.canonicalJSON, sourceID: id).value)
            #expect(back.configHash == config.configHash)
        }
    }

    @Test("apply --wait verdicts: RUNNING with the applied hash, refusal or FAILED with it, removals")
    func waitVerdicts() throws {
        let file = try Self.parse(Self.yaml)
        let change = planConfigChanges(file: file, live: [:], prune: false)[0]
        let e = ApplyExpectation(change: change)
        var s = SourceStatus(sourceID: "a", state: .running, instanceID: "m")
        #expect(e.verdict(nil) == .pending)
        s.configHash = "0000"
        #expect(e.verdict(s) == .pending)  // still the old config
        s.configHash = file["a"]!.configHash
        #expect(e.verdict(s) == .done)
        s.state = .failed
        s.lastError = "connection refused"
        #expect(e.verdict(s) == .failed("a: FAILED: connection refused"))
        s.state = .running
        s.configHash = "0000"
        s.rejected = .init(configHash: file["a"]!.configHash, configVersion: "kafka:1:1", error: "line 1, column 2: bad")
        #expect(e.verdict(s) == .failed("a: rejected: line 1, column 2: bad"))
        let removal = ApplyExpectation(change: ConfigChange(sourceID: "a", kind: .remove, config: nil))
        #expect(removal.verdict(nil) == .done)
        #expect(removal.verdict(SourceStatus(sourceID: "a", state: .stopped, instanceID: "m")) == .done)
        #expect(removal.verdict(SourceStatus(sourceID: "a", state: .running, instanceID: "m")) == .pending)
    }
}
