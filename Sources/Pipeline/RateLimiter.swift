import Synchronization

/// Counts of one token bucket, for the fetch policy's metrics.
public struct RateLimiterMetrics: Sendable, Equatable, Codable {
    public var rateLimitPerMinute: Double?
    public var availableTokens: Double
    public var acquired: Int
    /// Acquisitions that had to wait for a token.
    public var waited: Int
    public var refunded: Int

    enum CodingKeys: String, CodingKey {
        case rateLimitPerMinute = "rate_limit_per_minute"
        case availableTokens = "available_tokens"
        case acquired
        case waited
        case refunded
    }
}

/// A token bucket for `rate_limit_per_minute`: tokens refill continuously at rate/60 per
/// second up to `capacity`; each request takes one.
///
/// `acquire()` reserves its token at once, letting the balance go negative, and then sleeps
/// until the refill has covered it. Waiters are therefore served in arrival order, each with
/// a single sleep, and `tryAcquire()` fails while anyone is queued. A cancelled acquire gives
/// its reservation back.
public final class TokenBucket: Sendable {
    private struct State {
        var ratePerSecond: Double?
        var capacity: Double
        var tokens: Double
        var updatedAt: Duration
        var acquired = 0
        var waited = 0
        var refunded = 0

        mutating func refill(now: Duration) {
            guard let rate = ratePerSecond else { return }
            let elapsed = (now - updatedAt).inSeconds
            if elapsed > 0 { tokens = min(capacity, tokens + elapsed * rate) }
            updatedAt = now
        }
    }

    private let state: Mutex<State>
    private let clock: any PipelineClock

    /// - Parameters:
    ///   - ratePerMinute: requests per minute; nil or ≤ 0 = unlimited.
    ///   - capacity: burst size; by default one second's worth, at least 1, so a fresh or idle
    ///     bucket allows a small burst but never a minute's worth at once.
    public init(ratePerMinute: Double?, capacity: Double? = nil, clock: any PipelineClock = SystemPipelineClock()) {
        self.clock = clock
        let (rate, cap) = Self.shape(ratePerMinute: ratePerMinute, capacity: capacity)
        state = Mutex(State(ratePerSecond: rate, capacity: cap, tokens: cap, updatedAt: clock.now()))
    }

    private static func shape(ratePerMinute: Double?, capacity: Double?) -> (Double?, Double) {
        guard let ratePerMinute, ratePerMinute > 0 else { return (nil, 0) }
        let perSecond = ratePerMinute / 60
        let cap = capacity.map { Swift.max($0, 1) } ?? Swift.max(1, perSecond.rounded(.up))
        return (perSecond, cap)
    }

    /// Changes the rate in place (hot reconfiguration); tokens already held are kept up to the new capacity.
    public func update(ratePerMinute: Double?, capacity: Double? = nil) {
        let now = clock.now()
        state.withLock { s in
            s.refill(now: now)
            let (rate, cap) = Self.shape(ratePerMinute: ratePerMinute, capacity: capacity)
            let wasUnlimited = s.ratePerSecond == nil
            s.ratePerSecond = rate
            s.capacity = cap
            s.tokens = wasUnlimited ? cap : min(s.tokens, cap)
        }
    }

    /// Takes a token, waiting on the clock until one is available.
    /// - Throws: `CancellationError` if cancelled while waiting (the token is given back).
    public func acquire() async throws {
        let now = clock.now()
        let wait = state.withLock { s -> Duration in
            s.acquired += 1
            guard let rate = s.ratePerSecond else { return .zero }
            s.refill(now: now)
            s.tokens -= 1
            guard s.tokens < 0 else { return .zero }
            s.waited += 1
            return Saturating.duration(seconds: -s.tokens / rate)
        }
        guard wait > .zero else { return }
        do {
            try await clock.sleep(for: wait)
        } catch {
            state.withLock { s in
                s.acquired -= 1
                s.tokens = min(s.capacity, s.tokens + 1)
            }
            throw error
        }
    }

    /// Takes a token if one is available now.
    public func tryAcquire() -> Bool {
        let now = clock.now()
        return state.withLock { s in
            guard s.ratePerSecond != nil else {
                s.acquired += 1
                return true
            }
            s.refill(now: now)
            guard s.tokens >= 1 else { return false }
            s.tokens -= 1
            s.acquired += 1
            return true
        }
    }

    /// Gives a token back: the request it paid for cost the API nothing (a not-modified answer).
    public func refund() {
        let now = clock.now()
        state.withLock { s in
            guard s.ratePerSecond != nil else { return }
            s.refill(now: now)
            s.tokens = min(s.capacity, s.tokens + 1)
            s.refunded += 1
        }
    }

    public var isUnlimited: Bool { state.withLock { $0.ratePerSecond == nil } }

    public var metrics: RateLimiterMetrics {
        let now = clock.now()
        return state.withLock { s in
            s.refill(now: now)
            return RateLimiterMetrics(rateLimitPerMinute: s.ratePerSecond.map { $0 * 60 },
                                      availableTokens: s.ratePerSecond == nil ? 0 : s.tokens,
                                      acquired: s.acquired, waited: s.waited, refunded: s.refunded)
        }
    }
}

/// Hands out token buckets: one private bucket per source, or one bucket per API host shared
/// by every source that asks for it (several sources polling one API share its quota).
///
/// A shared bucket takes the strictest (lowest) rate any of its sources asked for; it does not
/// loosen when that source goes away.
public final class RateLimiterRegistry: Sendable {
    private struct Entry {
        let bucket: TokenBucket
        var ratePerMinute: Double?
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let clock: any PipelineClock

    public init(clock: any PipelineClock = SystemPipelineClock()) {
        self.clock = clock
    }

    /// The bucket for `sourceID`: shared under `sharedHost` when given, private otherwise.
    /// Asking again with a new rate updates a private bucket in place (hot reconfiguration).
    public func limiter(sourceID: String, ratePerMinute: Double?, sharedHost: String? = nil) -> TokenBucket {
        let rate = ratePerMinute.flatMap { $0 > 0 ? $0 : nil }
        let key = sharedHost.map { "host:\($0)" } ?? "source:\(sourceID)"
        return entries.withLock { map in
            if var entry = map[key] {
                let wanted = sharedHost == nil ? rate : Self.stricter(entry.ratePerMinute, rate)
                if wanted != entry.ratePerMinute {
                    entry.bucket.update(ratePerMinute: wanted)
                    entry.ratePerMinute = wanted
                    map[key] = entry
                }
                return entry.bucket
            }
            let bucket = TokenBucket(ratePerMinute: rate, clock: clock)
            map[key] = Entry(bucket: bucket, ratePerMinute: rate)
            return bucket
        }
    }

    /// Forgets a source's private bucket (its stream stopped for good).
    public func removePrivate(sourceID: String) {
        _ = entries.withLock { $0.removeValue(forKey: "source:\(sourceID)") }
    }

    /// nil means unlimited, so any limit is stricter than nil.
    private static func stricter(_ a: Double?, _ b: Double?) -> Double? {
        switch (a, b) {
        case (nil, let x), (let x, nil): x
        case (let x?, let y?): Swift.min(x, y)
        }
    }
}
