import Foundation
import Testing
@testable import Pipeline

@Suite("Throttler")
struct ThrottlerTests {
    /// Thresholds of the example config's throttling section; no max rate unless a test sets one, so only the state delays show.
    func settings(maxSendRate: Double? = nil, minSendRate: Double = 1, factor: Double = 2,
                  recoveryCycles: Int = 10) -> ThrottleSettings {
        ThrottleSettings(enabled: true, minSendRate: minSendRate, maxSendRate: maxSendRate, targetConsumerLag: 1000,
                         criticalConsumerLag: 5000, adjustmentFactor: factor, recoveryCycles: recoveryCycles)
    }

    @Test func disabledNeverDelays() {
        let throttler = Throttler(settings: .disabled, clock: TestClock())
        throttler.record(lag: 1_000_000)
        #expect(throttler.currentState == .allow)
        #expect(throttler.delay(forBatchOf: 500) == .zero)
        #expect(throttler.metrics.throttledCount == 0)
        #expect(throttler.metrics.consumerLag == 1_000_000)
    }

    @Test func allowRunsAtFullSpeedWithoutAMaxRate() {
        let throttler = Throttler(settings: settings(), clock: TestClock())
        throttler.record(lag: 999)
        for _ in 0..<5 { #expect(throttler.delay(forBatchOf: 1000) == .zero) }
        #expect(throttler.metrics.currentState == "allow")
    }

    @Test func allowPacesToTheMaxSendRate() {
        let clock = TestClock()
        let throttler = Throttler(settings: settings(maxSendRate: 100), clock: clock)
        #expect(throttler.delay(forBatchOf: 50) == .zero)
        #expect(throttler.delay(forBatchOf: 50) == .milliseconds(500))  // booked after the first
        #expect(throttler.delay(forBatchOf: 50) == .seconds(1))
        clock.advance(by: .seconds(3))  // idle time earns no burst credit
        #expect(throttler.delay(forBatchOf: 100) == .zero)
        #expect(throttler.delay(forBatchOf: 10) == .seconds(1))
        #expect(throttler.metrics.throttledCount == 0)  // pacing is not throttling
    }

    @Test func delayStateWaitsOneSecondPerBatch() {
        let throttler = Throttler(settings: settings(), clock: TestClock())
        throttler.record(lag: 1000)
        #expect(throttler.currentState == .delay)
        for _ in 0..<3 { #expect(throttler.delay(forBatchOf: 100) == .seconds(1)) }
        let m = throttler.metrics
        #expect(m.currentState == "delay" && m.throttledCount == 3 && m.rateAdjustments == 1 && m.backoffLevel == 0)
    }

    @Test func backoffDoublesFromTwoSecondsUpToTheCap() {
        let throttler = Throttler(settings: settings(), clock: TestClock())
        throttler.record(lag: 5000)
        #expect(throttler.currentState == .backoff)
        let delays = (0..<8).map { _ in throttler.delay(forBatchOf: 500) }
        #expect(delays == [2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) })
        #expect(throttler.metrics.backoffLevel == 8)
        #expect(throttler.metrics.throttledCount == 8)
    }

    @Test func backoffUsesTheAdjustmentFactor() {
        let throttler = Throttler(settings: settings(factor: 1.5), clock: TestClock())
        throttler.record(lag: 10_000)
        let delays = (0..<3).map { _ in throttler.delay(forBatchOf: 500) }
        #expect(delays.map(\.inSeconds) == [2, 3, 4.5])
    }

    @Test func delaysNeverPushTheRateBelowMinSendRate() {
        // 5 records at ≥ 1 record/s may wait at most 5 s.
        let throttler = Throttler(settings: settings(minSendRate: 1), clock: TestClock())
        throttler.record(lag: 9000)
        let delays = (0..<5).map { _ in throttler.delay(forBatchOf: 5) }
        #expect(delays == [2, 4, 5, 5, 5].map { Duration.seconds($0) })

        // The floor applies to the delay state too: one record at ≥ 4/s waits 250 ms, not 1 s.
        let fast = Throttler(settings: settings(minSendRate: 4), clock: TestClock())
        fast.record(lag: 2000)
        #expect(fast.delay(forBatchOf: 1) == .milliseconds(250))
    }

    @Test func maxRatePacingStillAppliesInBackoff() {
        let throttler = Throttler(settings: settings(maxSendRate: 10), clock: TestClock())
        throttler.record(lag: 6000)
        #expect(throttler.delay(forBatchOf: 100) == .seconds(2))   // sends at t=2, next slot t=12
        #expect(throttler.delay(forBatchOf: 100) == .seconds(12))  // pacing (12 s) beats backoff (4 s)
    }

    @Test func walksThroughEveryLagLevelAndRecoversOneStepPerRecoveryCycles() {
        let throttler = Throttler(settings: settings(recoveryCycles: 10), clock: TestClock())
        throttler.record(lag: 10)
        #expect(throttler.currentState == .allow)
        throttler.record(lag: 1500)
        #expect(throttler.currentState == .delay)
        throttler.record(lag: 7000)
        #expect(throttler.currentState == .backoff)
        _ = throttler.delay(forBatchOf: 1000)
        _ = throttler.delay(forBatchOf: 1000)
        #expect(throttler.metrics.backoffLevel == 2)

        // Nine low checks are not enough; a critical reading restarts the count.
        for _ in 0..<9 { throttler.record(lag: 100) }
        #expect(throttler.currentState == .backoff)
        throttler.record(lag: 5000)
        for _ in 0..<9 { throttler.record(lag: 100) }
        #expect(throttler.currentState == .backoff)
        throttler.record(lag: 100)
        #expect(throttler.currentState == .delay)
        #expect(throttler.metrics.backoffLevel == 0)
        #expect(throttler.delay(forBatchOf: 1000) == .seconds(1))

        for _ in 0..<9 { throttler.record(lag: 100) }
        #expect(throttler.currentState == .delay)
        throttler.record(lag: 100)
        #expect(throttler.currentState == .allow)
        #expect(throttler.delay(forBatchOf: 1000) == .zero)
        // allow→delay→backoff→delay→allow
        #expect(throttler.metrics.rateAdjustments == 4)
    }

    @Test func backoffRecoversThroughModerateLagButDelayNeedsLowLag() {
        let throttler = Throttler(settings: settings(recoveryCycles: 3), clock: TestClock())
        throttler.record(lag: 8000)
        // Below critical counts as recovery from backoff…
        for _ in 0..<3 { throttler.record(lag: 2000) }
        #expect(throttler.currentState == .delay)
        // …but in delay, lag above target holds the state.
        for _ in 0..<10 { throttler.record(lag: 2000) }
        #expect(throttler.currentState == .delay)
        for _ in 0..<3 { throttler.record(lag: 999) }
        #expect(throttler.currentState == .allow)
    }

    @Test func reenteringBackoffRestartsTheSequence() {
        let throttler = Throttler(settings: settings(recoveryCycles: 1), clock: TestClock())
        throttler.record(lag: 5000)
        _ = throttler.delay(forBatchOf: 1000)
        _ = throttler.delay(forBatchOf: 1000)
        throttler.record(lag: 0)  // → delay
        throttler.record(lag: 5000)  // → backoff again
        #expect(throttler.delay(forBatchOf: 1000) == .seconds(2))
    }

    @Test func throttleSleepsOnTheInjectedClock() async throws {
        let clock = TestClock()
        let throttler = Throttler(settings: settings(), clock: clock)
        try await throttler.throttle(batchOf: 10)
        throttler.record(lag: 3000)
        try await throttler.throttle(batchOf: 10)
        throttler.record(lag: 30_000)
        try await throttler.throttle(batchOf: 100)
        try await throttler.throttle(batchOf: 100)
        #expect(clock.sleeps == [.seconds(1), .seconds(2), .seconds(4)])
        #expect(clock.now() == .seconds(7))
    }

    @Test func throttleIsCancellable() async throws {
        let clock = TestClock(.manual)
        let throttler = Throttler(settings: settings(), clock: clock)
        throttler.record(lag: 5000)
        let sender = Task { try await throttler.throttle(batchOf: 100) }
        try await clock.waitForSleepers(1)
        sender.cancel()
        await #expect(throws: CancellationError.self) { try await sender.value }
    }

    @Test func disablingAtRuntimeReturnsToAllow() {
        let throttler = Throttler(settings: settings(), clock: TestClock())
        throttler.record(lag: 5000)
        throttler.update(.disabled)
        #expect(throttler.currentState == .allow)
        #expect(throttler.delay(forBatchOf: 10) == .zero)
        throttler.update(settings())
        throttler.record(lag: 5000)
        #expect(throttler.currentState == .backoff)
    }

    @Test func metricsUseTheSeedsNames() throws {
        let throttler = Throttler(settings: settings(), clock: TestClock())
        throttler.record(lag: 1200)
        _ = throttler.delay(forBatchOf: 10)
        let m = throttler.metrics
        #expect(m == ThrottleMetrics(currentState: "delay", backoffLevel: 0, rateAdjustments: 1,
                                     throttledCount: 1, consumerLag: 1200, enabled: true))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as? [String: Any]
        for key in ["current_state", "backoff_level", "rate_adjustments", "throttled_count", "consumer_lag"] {
            #expect(json?[key] != nil, "missing \(key)")
        }
    }
}
