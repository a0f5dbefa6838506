import Testing
@testable import StreamManagerKit

/// Stall detection as the status tick evaluates it, on instants given by the test (no waiting):
/// which bound trips, which explanation wins, and what the user reads.
@Suite("stall detection: bounds and precedence")
struct StallDetectionTests {
    static let t0 = ContinuousClock.now

    /// A healthy stream at `t0 + at`: it fetched at t0, nothing pending, not blocked.
    static func activity(at: Duration, lastFetch: Duration = .zero, bound: Duration = .seconds(7)) -> StreamActivity {
        StreamActivity(now: t0 + at, lastFetchAt: t0 + lastFetch, fetchBound: bound, pendingCount: 0, pendingSince: nil,
                       lastSettleAt: nil, enqueueSince: nil, lastError: nil, producerError: nil)
    }

    @Test("the fetch bound is max(3 × interval, 2 × timeout + 5 s); the fixed bounds are 60 s")
    func bounds() {
        #expect(StallBounds.noFetch(interval: .seconds(1), timeout: .seconds(1)) == .seconds(7))
        #expect(StallBounds.noFetch(interval: .seconds(60), timeout: .seconds(30)) == .seconds(180))
        #expect(StallBounds.noFetch(interval: .seconds(1), timeout: .seconds(30)) == .seconds(65))
        #expect(StallBounds.undelivered == .seconds(60) && StallBounds.blocked == .seconds(60))
    }

    @Test("no completed fetch: stalled at the bound, not before; the last error is quoted")
    func noFetch() throws {
        #expect(Self.activity(at: .milliseconds(6_999)).stall() == nil)
        var a = Self.activity(at: .seconds(7))
        a.lastError = "request timed out after 1 s"
        let stall = try #require(a.stall())
        #expect(stall.kind == .stalled)
        #expect(stall.message == "stalled: no fetch from the source has completed in over 7 s (last error: request timed out after 1 s)")
        #expect(Self.activity(at: .seconds(30), lastFetch: .seconds(25)).stall() == nil)  // a fetch completed since
    }

    @Test("records undelivered 60 s with nothing settled: stalled; a settle restarts the count")
    func undelivered() throws {
        var a = Self.activity(at: .seconds(61), lastFetch: .seconds(60))
        a.pendingCount = 10
        a.pendingSince = Self.t0
        #expect(a.stall()?.kind == .stalled)
        #expect(a.stall()?.message == "stalled: records queued for Kafka and none delivered for over 60 s")
        a.lastSettleAt = Self.t0 + .seconds(30)
        #expect(a.stall() == nil)
        a.now = Self.t0 + .seconds(90)
        a.lastFetchAt = a.now
        #expect(a.stall()?.kind == .stalled)
        a.pendingCount = 0
        #expect(a.stall() == nil)
    }

    @Test("polling blocked 60 s by a full queue: backpressure, naming the producer's error; it outranks the stalls it causes")
    func backpressure() throws {
        var a = Self.activity(at: .seconds(100))  // no fetch for 100 s either
        a.pendingCount = 1_000
        a.pendingSince = Self.t0
        a.enqueueSince = Self.t0 + .seconds(41)
        #expect(a.stall()?.kind == .stalled)  // blocked 59 s: the records' wait is what shows
        a.enqueueSince = Self.t0 + .seconds(40)
        a.producerError = "_TRANSPORT, Local: Broker transport failure"
        let stall = try #require(a.stall())
        #expect(stall.kind == .backpressure)
        #expect(stall.message.hasPrefix("backpressure: polling has waited over 60 s for room in the full queue"))
        #expect(stall.message.hasSuffix("(producer: _TRANSPORT, Local: Broker transport failure)"))
    }
}
