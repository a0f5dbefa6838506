import Metrics
import StreamConfig
import Synchronization

/// Slows the send path down when consumers of the target topic fall behind.
///
/// A lag poller feeds `record(lag:)`; the sender asks `delay(forBatchOf:)` (or calls
/// `throttle(batchOf:)`) before each batch.
///
/// Escalation is immediate: a lag at or above `criticalConsumerLag` enters `backoff`, one at or
/// above `targetConsumerLag` enters `delay` (from `allow`). Recovery is gradual: a check whose
/// lag is below the current state's entry threshold (below critical in `backoff`, below target
/// in `delay`) is a low-lag check; `recoveryCycles` consecutive ones step down one state
/// (backoff → delay → allow) and restart the count. Any check at or above the current state's
/// threshold resets the count.
///
/// Delays: `allow` only paces to `maxSendRate`; `delay` waits a fixed 1 s per batch; the n-th
/// consecutive `backoff` batch waits 2 s × factor^(n−1), capped at 60 s. The `delay` and
/// `backoff` waits are cut to `count / minSendRate` so the rate never falls below the floor,
/// and `maxSendRate` pacing applies on top in every state.
public final class Throttler: Sendable {
    private struct State {
        var settings: ThrottleSettings
        var current: ThrottleState = .allow
        /// Backoff delays handed out since entering `backoff`.
        var backoffLevel = 0
        var lowChecks = 0
        var rateAdjustments = 0
        var throttledCount = 0
        var lag: Int64?
        /// Earliest time the next batch may go under `maxSendRate` pacing.
        var nextSendAt: Duration?
    }

    private let state: Mutex<State>
    private let clock: any PipelineClock
    private let instruments = ThrottlerInstruments()

    public init(settings: ThrottleSettings = ThrottleSettings(ThrottlingConfig()), clock: any PipelineClock = SystemPipelineClock()) {
        state = Mutex(State(settings: settings))
        self.clock = clock
    }

    /// Replaces the settings in place (hot reconfiguration). Disabling returns to `allow`.
    public func update(_ settings: ThrottleSettings) {
        let changed = state.withLock { s -> Bool in
            s.settings = settings
            guard !settings.enabled, s.current != .allow else { return false }
            Self.transition(&s, to: .allow)
            return true
        }
        if changed { instruments.stateChanged(to: .allow, backoffLevel: 0) }
    }

    /// Feeds one consumer-lag observation (one "check").
    public func record(lag: Int64) {
        let transition = state.withLock { s -> ThrottleState? in
            s.lag = lag
            guard s.settings.enabled else { return nil }
            let observed: ThrottleState =
                lag >= s.settings.criticalConsumerLag ? .backoff
                : lag >= s.settings.targetConsumerLag ? .delay : .allow
            if observed.level >= s.current.level {
                s.lowChecks = 0
                guard observed != s.current else { return nil }
                Self.transition(&s, to: observed)
                return observed
            }
            s.lowChecks += 1
            guard s.lowChecks >= max(1, s.settings.recoveryCycles) else { return nil }
            let next: ThrottleState = s.current == .backoff ? .delay : .allow
            Self.transition(&s, to: next)
            return next
        }
        instruments.lag(lag)
        if let transition { instruments.stateChanged(to: transition, backoffLevel: 0) }
    }

    private static func transition(_ s: inout State, to next: ThrottleState) {
        s.current = next
        s.backoffLevel = 0
        s.lowChecks = 0
        s.rateAdjustments += 1
    }

    /// How long the sender must wait before sending a batch of `count` records. Call once per
    /// batch: it consumes a backoff step and books the batch into the pacing schedule.
    public func delay(forBatchOf count: Int) -> Duration {
        guard count > 0 else { return .zero }
        let now = clock.now()
        let (wait, throttled, level) = state.withLock { s -> (Duration, Bool, Int) in
            let settings = s.settings
            guard settings.enabled else { return (.zero, false, 0) }
            var stateDelay = Duration.zero
            switch s.current {
            case .allow:
                break
            case .delay:
                stateDelay = settings.delayStateDelay
            case .backoff:
                s.backoffLevel += 1
                stateDelay = Self.backoffDelay(level: s.backoffLevel, settings: settings)
            }
            let throttled = stateDelay > .zero
            if throttled {
                s.throttledCount += 1
                if settings.minSendRate > 0 {
                    stateDelay = min(stateDelay, Saturating.duration(seconds: Double(count) / settings.minSendRate))
                }
            }
            var sendAt = now + stateDelay
            if let maxRate = settings.maxSendRate, maxRate > 0 {
                if let next = s.nextSendAt, next > sendAt { sendAt = next }
                s.nextSendAt = sendAt + Saturating.duration(seconds: Double(count) / maxRate)
            }
            return (sendAt - now, throttled, s.backoffLevel)
        }
        if throttled { instruments.throttled(wait, backoffLevel: level) }
        return wait
    }

    /// How long until the `maxSendRate` schedule lets the next batch go (zero when it may go now).
    public var pacingWait: Duration {
        let now = clock.now()
        return state.withLock { s in
            guard s.settings.enabled, let next = s.nextSendAt, next > now else { return .zero }
            return next - now
        }
    }

    /// Waits until the pacing schedule lets the next batch go. A sender waits here *before* it
    /// takes a batch from the queue, so records that arrive meanwhile compete by priority for it.
    public func waitForPacing() async throws {
        let wait = pacingWait
        if wait > .zero { try await clock.sleep(for: wait) }
    }

    /// Waits on the clock for `delay(forBatchOf:)`. Throws if the task is cancelled while waiting.
    public func throttle(batchOf count: Int) async throws {
        let wait = delay(forBatchOf: count)
        if wait > .zero { try await clock.sleep(for: wait) }
    }

    /// 2 s × factor^(level−1), capped; multiplied step by step so a long backoff cannot overflow.
    static func backoffDelay(level: Int, settings: ThrottleSettings) -> Duration {
        let cap = settings.maxBackoffDelay.inSeconds
        var seconds = settings.backoffBaseDelay.inSeconds
        // A factor that is NaN or at most 1 would never reach the cap: stay at the base.
        let factor = settings.adjustmentFactor > 1 ? settings.adjustmentFactor : 1
        var step = 1
        while step < level && seconds < cap && factor > 1 {
            seconds *= factor
            step += 1
        }
        return Saturating.duration(seconds: min(seconds, cap))
    }

    public var currentState: ThrottleState { state.withLock { $0.current } }

    public var metrics: ThrottleMetrics {
        state.withLock { s in
            ThrottleMetrics(currentState: s.current.rawValue, backoffLevel: s.backoffLevel,
                            rateAdjustments: s.rateAdjustments, throttledCount: s.throttledCount,
                            consumerLag: s.lag, enabled: s.settings.enabled)
        }
    }
}

/// The throttler's swift-metrics instruments (manager-wide, so no source dimension).
final class ThrottlerInstruments: Sendable {
    private let state = Gauge(label: "stream_manager_throttle_state")
    private let backoffLevel = Gauge(label: "stream_manager_throttle_backoff_level")
    private let adjustments = Counter(label: "stream_manager_throttle_rate_adjustments_total")
    private let throttledBatches = Counter(label: "stream_manager_throttle_throttled_batches_total")
    private let delays = Metrics.Timer(label: "stream_manager_throttle_delay_seconds")
    private let consumerLag = Gauge(label: "stream_manager_throttle_consumer_lag")

    func stateChanged(to next: ThrottleState, backoffLevel level: Int) {
        adjustments.increment()
        state.record(next.level)
        backoffLevel.record(level)
    }

    func throttled(_ wait: Duration, backoffLevel level: Int) {
        throttledBatches.increment()
        backoffLevel.record(level)
        delays.recordNanoseconds(Saturating.int64(wait.inSeconds * 1e9))
    }

    func lag(_ lag: Int64) { consumerLag.record(lag) }
}
