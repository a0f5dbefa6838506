/// The spacing of one source's automatic restarts: the first may run at once, each next one
/// waits twice as long after the one before (1 s, 2 s, 4 s … up to 5 min), so a source that
/// cannot work is not rebuilt in a tight loop. Once a restarted stream has kept making
/// progress for 10 minutes, its trouble counts as over and the spacing starts from 1 s again.
public struct RestartBackoff: Sendable, Equatable {
    public static let first: Duration = .seconds(1)
    public static let cap: Duration = .seconds(300)
    public static let resetAfter: Duration = .seconds(600)

    /// Automatic restarts since the spacing was last reset.
    public private(set) var restarts = 0
    public private(set) var lastRestart: ContinuousClock.Instant?

    public init() {}

    /// The wait after the `n`th restart (n ≥ 1) before the next: 1 s doubling, capped.
    public static func gap(afterRestarts n: Int) -> Duration {
        guard n > 0 else { return .zero }
        let doublings = min(n - 1, 16)  // 2^16 s is far past the cap
        return min(first * (1 << doublings), cap)
    }

    /// How long the next automatic restart must still wait (zero: it may run now), given when
    /// the running stream last made progress.
    public func wait(now: ContinuousClock.Instant, lastProgress: ContinuousClock.Instant?) -> Duration {
        guard let lastRestart, !progressed(since: lastRestart, lastProgress) else { return .zero }
        let due = lastRestart.advanced(by: Self.gap(afterRestarts: restarts))
        return due > now ? due - now : .zero
    }

    /// An automatic restart ran at `now`.
    public mutating func record(now: ContinuousClock.Instant, lastProgress: ContinuousClock.Instant?) {
        if let lastRestart, progressed(since: lastRestart, lastProgress) { restarts = 0 }
        restarts += 1
        lastRestart = now
    }

    /// The stream restarted at `restart` was still making progress `resetAfter` later.
    private func progressed(since restart: ContinuousClock.Instant, _ lastProgress: ContinuousClock.Instant?) -> Bool {
        guard let lastProgress else { return false }
        return lastProgress - restart >= Self.resetAfter
    }
}
