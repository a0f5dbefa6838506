import Testing
@testable import StreamConfig

@Suite("Canonical JSON and config_hash")
struct CanonicalHashTests {
    /// One source, written many ways: block and flow YAML, JSON in another key order, comments,
    /// quoting, integral numbers as 30 or 30.0, defaults written out or left out.
    static let spellings: [String] = [
        """
        source_type: noaa_weather
        topic: weather
        ingestion:
          mode: continuous_streaming
          polling_interval_seconds: 30
        connector:
          area: CA
          headers: {Accept: application/geo+json}
        """,
        """
        # the same, reformatted
        connector: { headers: { "Accept": 'application/geo+json' }, area: "CA" }
        ingestion: { polling_interval_seconds: 30.0, mode: "continuous_streaming" }
        topic: "weather"   # trailing comment
        source_type: 'noaa_weather'
        """,
        #"{"topic":"weather","source_type":"noaa_weather","connector":{"area":"CA","headers":{"Accept":"application/geo+json"}},"ingestion":{"mode":"continuous_streaming","polling_interval_seconds":3.0e1}}"#,
        """
        {
          "source_type": "noaa_weather",
          "enabled": true,
          "priority": "normal",
          "topic": "weather",
          "ingestion": {
            "mode": "continuous_streaming", "polling_interval_seconds": 30, "max_records_per_poll": 1000,
            "buffer_size": 100, "buffer_flush_interval_seconds": 5, "batch_size": 1000
          },
          "rate_limit_per_minute": 60, "timeout_seconds": 30, "cache_ttl_seconds": 60, "max_retries": 3,
          "connector": {"headers": {"Accept": "application/geo+json"}, "area": "CA"}
        }
        """,
    ]

    @Test("formatting, key order, comments, quoting, YAML vs JSON and written defaults keep the hash")
    func stable() throws {
        var hashes = Set<String>()
        for text in Self.spellings {
            let result = ConfigLoader.parseSourceDocument(text, sourceID: "noaa")
            #expect(result.diagnostics.isEmpty, "\(result.diagnostics.rendered)")
            hashes.insert(try #require(result.value).configHash)
        }
        #expect(hashes.count == 1)
        let hash = try #require(hashes.first)
        #expect(hash.count == 64 && hash.allSatisfy { "0123456789abcdef".contains($0) })
        // The source id is not part of the hash.
        #expect(ConfigLoader.parseSourceDocument(Self.spellings[0], sourceID: "other").value?.configHash == hash)
    }

    @Test("the canonical JSON is exactly this (changing it changes every hash in the field)")
    func golden() {
        let source = SourceConfig(sourceType: "generator", topic: "demo",
                                  ingestion: IngestionConfig(pollingIntervalSeconds: 0.5),
                                  connector: ["rate_per_second": 10, "b": [1, 2.5, "x\"y"], "a": nil])
        #expect(source.canonicalJSON == #"{"cache_ttl_seconds":60,"connector":{"a":null,"b":[1,2.5,"x\"y"],"rate_per_second":10},"enabled":true,"#
                + #""ingestion":{"batch_size":1000,"buffer_flush_interval_seconds":5,"buffer_size":100,"max_records_per_poll":1000,"#
                + #""mode":"real_time","polling_interval_seconds":0.5},"max_retries":3,"priority":"normal","#
                + #""rate_limit_per_minute":60,"source_type":"generator","timeout_seconds":30,"topic":"demo"}"#)
        #expect(source.configHash == ConfigHash.sha256Hex(source.canonicalJSON))
        #expect(ConfigHash.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ConfigHash.short(source.configHash).count == 12)
    }

    @Test("env references are hashed as written, never resolved")
    func envReferencesAsWritten() {
        let a = SourceConfig(sourceType: "nasa_firms", connector: ["map_key": "${FIRMS_MAP_KEY}"])
        let b = SourceConfig(sourceType: "nasa_firms", connector: ["map_key": "${FIRMS_MAP_KEY:-x}"])
        #expect(a.canonicalJSON.contains(#""map_key":"${FIRMS_MAP_KEY}""#))
        #expect(a.configHash != b.configHash)
    }

    @Test("numbers and strings have one spelling")
    func spellingsOfValues() {
        #expect(CanonicalJSON.encode(.double(30)) == "30")
        #expect(CanonicalJSON.encode(.double(-0.0)) == "0")
        #expect(CanonicalJSON.encode(.double(0.1)) == "0.1")
        #expect(CanonicalJSON.encode(.double(1e300)) == "1e+300")
        #expect(CanonicalJSON.encode(.int(-7)) == "-7")
        #expect(CanonicalJSON.encode("tab\there\u{01}") == #""tab\there\u0001""#)
        // Canonically equivalent strings (precomposed é vs e + combining accent) encode alike.
        #expect(CanonicalJSON.encode("caf\u{E9}") == CanonicalJSON.encode("cafe\u{301}"))
        #expect(CanonicalJSON.encode(.object(["b": 1, "a": 2, "B": 3])) == #"{"B":3,"a":2,"b":1}"#)
    }

    @Test("values compare by meaning: 2 == 2.0, key order ignored")
    func valueEquality() {
        #expect(ConfigValue.int(2) == .double(2.0))
        #expect(ConfigValue.int(2) != .double(2.5))
        #expect(Set<ConfigValue>([.int(2), .double(2.0)]).count == 1)
        let a: ConfigObject = ["x": 1, "y": 2]
        let b: ConfigObject = ["y": 2, "x": 1]
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a.keys == ["x", "y"] && b.keys == ["y", "x"])
    }
}

@Suite("compact form: the canonical form without defaults")
struct CompactFormTests {
    @Test("parses back to the same config and hash, and leaves the defaults out", arguments: [
        SourceConfig(sourceType: "generator"),
        SourceConfig(sourceType: "generator", topic: "t", connector: ["rate_per_second": 5, "payload_bytes": 64]),
        SourceConfig(sourceType: "http_json", enabled: false, topic: "a", priority: .critical,
                     ingestion: IngestionConfig(mode: .batch, batchSize: 10, scheduleIntervalSeconds: 600),
                     rateLimitPerMinute: 0, timeoutSeconds: 5.5, cacheTTLSeconds: 0, maxRetries: 7, dlqTopic: "a.dead",
                     connector: ["url": "https://x.example/${KEY}", "headers": .object(["X-Api-Key": "${KEY}"])]),
    ])
    func roundTrip(_ source: SourceConfig) throws {
        let compact = source.compactJSON
        let back = try ConfigLoader.parseSourceDocument(compact).get()
        #expect(back == source)
        #expect(back.configHash == source.configHash)
        #expect(compact.utf8.count <= source.canonicalJSON.utf8.count)
    }

    @Test("a generator with every default is just its type")
    func minimal() {
        #expect(SourceConfig(sourceType: "generator").compactJSON == #"{"source_type":"generator"}"#)
    }
}
