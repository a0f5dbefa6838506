import Pipeline
import Synchronization
import TestSupport

/// A virtual clock for pipeline tests.
///
/// `.autoAdvance`: `sleep` moves virtual time forward at once and returns, so a state machine
/// that sleeps 2, 4, 8 s runs instantly while `sleeps` records what it asked for.
/// `.manual`: `sleep` parks until `advance(by:)` moves time past its deadline, for tests that
/// need to observe a task while it waits.
final class TestClock: PipelineClock {
    enum Mode: Sendable { case autoAdvance, manual }

    private struct Sleeper {
        let id: UInt64
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var sleeps: [Duration] = []
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    let mode: Mode

    init(_ mode: Mode = .autoAdvance) { self.mode = mode }

    func now() -> Duration { state.withLock { $0.now } }

    /// Every sleep requested so far, in order.
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    var totalSlept: Duration { sleeps.reduce(.zero, +) }
    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        switch mode {
        case .autoAdvance:
            state.withLock { s in
                s.sleeps.append(duration)
                if duration > .zero { s.now += duration }
            }
        case .manual:
            let id = state.withLock { s in
                s.nextID += 1
                return s.nextID
            }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    let immediate: Result<Void, any Error>? = state.withLock { s in
                        s.sleeps.append(duration)
                        if Task.isCancelled { return .failure(CancellationError()) }
                        if duration <= .zero { return .success(()) }
                        s.sleepers.append(Sleeper(id: id, deadline: s.now + duration, continuation: c))
                        return nil
                    }
                    if let immediate { c.resume(with: immediate) }
                }
            } onCancel: {
                let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                    guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                    return s.sleepers.remove(at: i).continuation
                }
                c?.resume(throwing: CancellationError())
            }
        }
    }

    /// Moves time forward and wakes the sleepers whose deadline has passed.
    func advance(by duration: Duration) {
        let due = state.withLock { s in
            s.now += duration
            let due = s.sleepers.filter { $0.deadline <= s.now }
            s.sleepers.removeAll { $0.deadline <= s.now }
            return due.map(\.continuation)
        }
        for c in due { c.resume() }
    }

    /// Waits (yielding, briefly) until `count` tasks are parked in `sleep`.
    func waitForSleepers(_ count: Int) async throws {
        try await waitFor("\(count) sleepers", every: .milliseconds(1)) { self.sleeperCount >= count }
    }
}

/// Durations compare within a microsecond (Double arithmetic may leave attoseconds behind).
func approximately(_ a: Duration, _ b: Duration) -> Bool {
    let d = a - b
    return d < .microseconds(1) && d > .microseconds(-1)
}
