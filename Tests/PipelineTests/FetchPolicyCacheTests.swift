import Synchronization
import Testing
@testable import Pipeline
import StreamConfig

/// The response cache answers repeated API requests; a source whose data changes under the same
/// cursor (a file tail, a generator) must reach its connector every time.
@Suite("Fetch policy: which fetches the response cache may answer")
struct FetchPolicyCacheTests {
    /// Counts fetches; `cacheable` is what the source type declares.
    final class Counting: SourceConnector {
        let calls = Atomic<Int>(0)
        let cacheable: Bool
        init(cacheable: Bool) { self.cacheable = cacheable }
        func fetch(_ request: FetchRequest) async throws -> FetchResult {
            let n = calls.add(1, ordering: .relaxed).newValue
            return FetchResult(records: [SourceRecord(key: nil, value: Array("\(n)".utf8))], nextCursor: request.cursor)
        }
    }

    func client(_ connector: Counting) -> FetchPolicy {
        FetchPolicy(sourceID: "s", connector: connector, limiter: TokenBucket(ratePerMinute: nil),
                    settings: .init(timeout: .seconds(5), cacheTTL: .seconds(60), maxRetries: 0,
                                    fetchesMayBeCached: connector.cacheable))
    }

    @Test("with the default 60 s TTL, a source that does not declare cacheable fetches reaches its connector every time")
    func notCacheable() async throws {
        let tail = Counting(cacheable: false)
        let api = client(tail)
        for _ in 0..<3 { _ = try await api.fetch(FetchRequest(cursor: "offset-7", maxRecords: 10)) }
        #expect(tail.calls.load(ordering: .relaxed) == 3)
    }

    @Test("an API source's repeated request within the TTL is answered from the cache as nothing new")
    func cacheable() async throws {
        let http = Counting(cacheable: true)
        let api = client(http)
        let first = try await api.fetch(FetchRequest(cursor: "c", maxRecords: 10))
        let second = try await api.fetch(FetchRequest(cursor: "c", maxRecords: 10))
        #expect(first.records.count == 1 && second.records.isEmpty && second.notModified)
        #expect(http.calls.load(ordering: .relaxed) == 1)
    }
}

@Suite("Fetch policy settings from a source")
struct FetchPolicySettingsTests {
    @Test("only the API source types declare cacheable fetches; a type nobody registered is never cached")
    func cacheabilityComesFromTheSourceType() {
        func cacheable(_ type: String) -> Bool {
            FetchPolicy.Settings(source: SourceConfig(sourceType: type), retryBackoffBase: 2).fetchesMayBeCached
        }
        #expect(["http_json", "noaa_weather", "nasa_firms", "iot_sensor"].allSatisfy(cacheable))
        #expect(!cacheable("file") && !cacheable("generator") && !cacheable("v1_connector"))
    }
}
