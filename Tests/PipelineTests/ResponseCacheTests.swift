import Testing
@testable import Pipeline

@Suite("ResponseCache")
struct ResponseCacheTests {
    @Test func hitsUntilTheTTLExpires() {
        let clock = TestClock(.manual)
        let cache = ResponseCache<String>(ttlSeconds: 60, clock: clock)
        #expect(cache.value(forKey: "GET /alerts") == nil)
        cache.store("body-1", forKey: "GET /alerts")
        #expect(cache.value(forKey: "GET /alerts") == "body-1")
        clock.advance(by: .seconds(59))
        #expect(cache.value(forKey: "GET /alerts") == "body-1")
        clock.advance(by: .seconds(1))
        #expect(cache.value(forKey: "GET /alerts") == nil)
        let m = cache.metrics
        #expect(m.hits == 2 && m.misses == 2 && m.entries == 0 && m.cacheHitRate == 50)
    }

    @Test func storingAgainRefreshesTheExpiry() {
        let clock = TestClock(.manual)
        let cache = ResponseCache<Int>(ttl: .seconds(10), clock: clock)
        cache.store(1, forKey: "k")
        clock.advance(by: .seconds(8))
        cache.store(2, forKey: "k")
        clock.advance(by: .seconds(8))
        #expect(cache.value(forKey: "k") == 2)
    }

    @Test func zeroTTLDisablesTheCache() {
        let cache = ResponseCache<Int>(ttlSeconds: 0, clock: TestClock(.manual))
        cache.store(1, forKey: "k")
        #expect(cache.value(forKey: "k") == nil)
        let m = cache.metrics
        #expect(!m.enabled && m.entries == 0 && m.hits == 0 && m.misses == 0 && m.cacheHitRate == 0)
    }

    @Test func boundedByEntryCountOldestFirst() {
        let clock = TestClock(.manual)
        let cache = ResponseCache<Int>(ttlSeconds: 300, maxEntries: 3, clock: clock)
        for (i, key) in ["a", "b", "c"].enumerated() { cache.store(i, forKey: key) }
        cache.store(10, forKey: "a")  // re-stored: now the newest
        cache.store(3, forKey: "d")   // evicts b, the oldest insertion
        #expect(cache.value(forKey: "b") == nil)
        #expect(cache.value(forKey: "a") == 10)
        #expect(cache.value(forKey: "c") == 2)
        #expect(cache.value(forKey: "d") == 3)
        #expect(cache.metrics.entries == 3 && cache.metrics.evictions == 1)
    }

    @Test func hotKeyRestoredForeverStaysBounded() {
        let cache = ResponseCache<Int>(ttlSeconds: 300, maxEntries: 4, clock: TestClock(.manual))
        for i in 0..<10_000 { cache.store(i, forKey: "hot") }
        cache.store(0, forKey: "x")
        #expect(cache.value(forKey: "hot") == 9_999)
        #expect(cache.metrics.entries == 2)
    }

    @Test func updateAtRuntime() {
        let cache = ResponseCache<Int>(ttlSeconds: 60, maxEntries: 10, clock: TestClock(.manual))
        for i in 0..<5 { cache.store(i, forKey: "k\(i)") }
        cache.update(ttl: .seconds(60), maxEntries: 2)
        #expect(cache.metrics.entries == 2)
        #expect(cache.value(forKey: "k4") == 4)
        cache.update(ttl: .zero)
        #expect(cache.metrics.entries == 0 && !cache.metrics.enabled)
    }
}
