import Testing
@testable import Pipeline

@Suite("TokenBucket")
struct RateLimiterTests {
    @Test func unlimitedWhenRateIsNilOrZero() async throws {
        for rate: Double? in [nil, 0, -5] {
            let clock = TestClock()
            let bucket = TokenBucket(ratePerMinute: rate, clock: clock)
            #expect(bucket.isUnlimited)
            for _ in 0..<1000 { #expect(bucket.tryAcquire()) }
            for _ in 0..<10 { try await bucket.acquire() }
            #expect(clock.sleeps.isEmpty)
        }
    }

    @Test func capacityIsOneSecondsWorthAndRefillsContinuously() {
        let clock = TestClock(.manual)
        let bucket = TokenBucket(ratePerMinute: 120, clock: clock)  // 2/s, capacity 2
        #expect(bucket.tryAcquire())
        #expect(bucket.tryAcquire())
        #expect(!bucket.tryAcquire())
        clock.advance(by: .milliseconds(499))
        #expect(!bucket.tryAcquire())
        clock.advance(by: .milliseconds(1))
        #expect(bucket.tryAcquire())
        clock.advance(by: .seconds(60))  // refill stops at capacity
        #expect(bucket.tryAcquire() && bucket.tryAcquire())
        #expect(!bucket.tryAcquire())
    }

    @Test func slowRatesStillAllowOneRequest() {
        let clock = TestClock(.manual)
        let bucket = TokenBucket(ratePerMinute: 6, clock: clock)  // one every 10 s
        #expect(bucket.tryAcquire())
        #expect(!bucket.tryAcquire())
        clock.advance(by: .seconds(9))
        #expect(!bucket.tryAcquire())
        clock.advance(by: .seconds(1))
        #expect(bucket.tryAcquire())
    }

    @Test func acquireWaitsForTheNextToken() async throws {
        let clock = TestClock()
        let bucket = TokenBucket(ratePerMinute: 60, clock: clock)
        for _ in 0..<4 { try await bucket.acquire() }
        #expect(clock.sleeps.count == 3)
        #expect(zip(clock.sleeps, [Duration.seconds(1), .seconds(1), .seconds(1)]).allSatisfy(approximately))
        let m = bucket.metrics
        #expect(m.acquired == 4 && m.waited == 3 && m.rateLimitPerMinute == 60)
    }

    @Test func waitersAreServedInArrivalOrderWithOneSleepEach() async throws {
        let clock = TestClock(.manual)
        let bucket = TokenBucket(ratePerMinute: 60, clock: clock)
        try await bucket.acquire()  // the one token
        let second = Task { try await bucket.acquire() }
        try await clock.waitForSleepers(1)
        let third = Task { try await bucket.acquire() }
        try await clock.waitForSleepers(2)
        #expect(approximately(clock.sleeps[0], .seconds(1)))
        #expect(approximately(clock.sleeps[1], .seconds(2)))
        #expect(!bucket.tryAcquire())  // queued waiters come first
        clock.advance(by: .seconds(1))
        try await second.value
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await third.value
    }

    @Test func refundGivesTheTokenBack() {
        let clock = TestClock(.manual)
        let bucket = TokenBucket(ratePerMinute: 60, clock: clock)
        #expect(bucket.tryAcquire())
        #expect(!bucket.tryAcquire())
        bucket.refund()  // e.g. 304 Not Modified
        #expect(bucket.tryAcquire())
        bucket.refund()
        bucket.refund()  // never above capacity
        #expect(bucket.tryAcquire())
        #expect(!bucket.tryAcquire())
        #expect(bucket.metrics.refunded == 3)
    }

    @Test func cancelledAcquireReturnsItsReservation() async throws {
        let clock = TestClock(.manual)
        let bucket = TokenBucket(ratePerMinute: 60, clock: clock)
        try await bucket.acquire()
        let waiting = Task { try await bucket.acquire() }
        try await clock.waitForSleepers(1)
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        clock.advance(by: .seconds(1))
        #expect(bucket.tryAcquire())  // the cancelled reservation did not eat this token
    }

    @Test func updateChangesTheRateInPlace() {
        let clock = TestClock(.manual)
        let bucket = TokenBucket(ratePerMinute: nil, clock: clock)
        bucket.update(ratePerMinute: 60)
        #expect(bucket.tryAcquire())
        #expect(!bucket.tryAcquire())
        bucket.update(ratePerMinute: 0)
        #expect(bucket.tryAcquire())
    }

    @Test func registrySharesPerHostAndKeepsPrivateBucketsApart() {
        let registry = RateLimiterRegistry(clock: TestClock(.manual))
        let a = registry.limiter(sourceID: "a", ratePerMinute: 60, sharedHost: "api.example.org")
        let b = registry.limiter(sourceID: "b", ratePerMinute: 120, sharedHost: "api.example.org")
        #expect(a === b)
        #expect(a.metrics.rateLimitPerMinute == 60)  // the stricter rate wins
        #expect(a.tryAcquire())
        #expect(!b.tryAcquire())  // one quota for both sources

        let c = registry.limiter(sourceID: "c", ratePerMinute: 60)
        let d = registry.limiter(sourceID: "d", ratePerMinute: 60)
        #expect(c !== d && c !== a)
        #expect(registry.limiter(sourceID: "c", ratePerMinute: 60) === c)
        let c2 = registry.limiter(sourceID: "c", ratePerMinute: 30)
        #expect(c2 === c && c.metrics.rateLimitPerMinute == 30)

        registry.removePrivate(sourceID: "c")
        #expect(registry.limiter(sourceID: "c", ratePerMinute: 30) !== c)
    }
}
