/// Time as the pipeline's components see it. Injected so tests run state machines
/// (throttle backoff, token buckets, cache expiry) in milliseconds instead of minutes.
public protocol PipelineClock: Sendable {
    /// Monotonic time since an arbitrary origin.
    func now() -> Duration
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemPipelineClock: PipelineClock {
    private let origin = ContinuousClock.now
    public init() {}
    public func now() -> Duration { ContinuousClock.now - origin }
    public func sleep(for duration: Duration) async throws {
        if duration > .zero { try await Task.sleep(for: duration) }
    }
}
