/// One retry about to happen, reported to `RetryPolicy.run`'s `onRetry` (metrics, logs).
public struct RetryAttempt: Sendable {
    /// 1 for the first retry.
    public var retry: Int
    public var delay: Duration
    public var error: any Error
}

/// Exponential backoff with jitter for a source's requests (`max_retries`, `retry_backoff_base`).
///
/// Retry n waits base × 2^(n−1), scaled by a random factor in [1 − jitter, 1 + jitter] and then
/// capped at `maxDelay`. A server-given Retry-After is honoured: the wait is the larger of the
/// two, and Retry-After is not capped (the server knows its quota better than our cap does).
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt; 0 = try once.
    public var maxRetries: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Relative spread, e.g. 0.1 = ±10 %, so sources failing together do not retry in lockstep.
    public var jitter: Double
    public var clock: any PipelineClock
    /// Uniform in [0, 1); injectable so tests are deterministic.
    public var random: @Sendable () -> Double

    public init(maxRetries: Int = 3, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(60),
                jitter: Double = 0.1, clock: any PipelineClock = SystemPipelineClock(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
        self.clock = clock
        self.random = random
    }

    /// From the config's `retry_backoff_base` (seconds).
    public init(maxRetries: Int, backoffBaseSeconds: Double, maxDelay: Duration = .seconds(60), jitter: Double = 0.1,
                clock: any PipelineClock = SystemPipelineClock(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.init(maxRetries: maxRetries, baseDelay: Saturating.duration(seconds: backoffBaseSeconds), maxDelay: maxDelay,
                  jitter: jitter, clock: clock, random: random)
    }

    /// The wait before retry `retry` (1-based).
    public func delay(forRetry retry: Int, retryAfter: Duration? = nil) -> Duration {
        let cap = maxDelay.inSeconds
        var seconds = baseDelay.inSeconds
        var n = 1
        while n < retry && seconds < cap {  // doubling stepwise: no overflow for large n
            seconds *= 2
            n += 1
        }
        seconds *= 1 + jitter * (2 * random() - 1)
        var wait = Saturating.duration(seconds: min(seconds, cap))
        if let retryAfter, retryAfter > wait { wait = retryAfter }
        return wait
    }

    /// Runs `operation`, retrying retriable failures up to `maxRetries` times with the backoff
    /// above, sleeping on `clock`. The last error is rethrown unchanged when retries run out or
    /// the error is not retriable; cancellation is never retried.
    public func run<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws -> T,
        isRetriable: (any Error) -> Bool = { _ in true },
        retryAfter: (any Error) -> Duration? = { _ in nil },
        onRetry: ((RetryAttempt) -> Void)? = nil
    ) async throws -> T {
        var retry = 0
        while true {
            do {
                return try await operation()
            } catch {
                if error is CancellationError || Task.isCancelled { throw error }
                guard retry < maxRetries, isRetriable(error) else { throw error }
                retry += 1
                let wait = delay(forRetry: retry, retryAfter: retryAfter(error))
                onRetry?(RetryAttempt(retry: retry, delay: wait, error: error))
                try await clock.sleep(for: wait)
            }
        }
    }
}
