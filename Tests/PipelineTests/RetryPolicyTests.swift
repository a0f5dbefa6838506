import Synchronization
import Testing
@testable import Pipeline

@Suite("RetryPolicy")
struct RetryPolicyTests {
    struct Failure: Error, Equatable {
        var retriable = true
        var retryAfter: Duration?
    }

    /// Fails with `failures` in order, then returns the attempt number.
    final class Script: Sendable {
        private let remaining: Mutex<[Failure]>
        private let attempts = Atomic<Int>(0)
        init(_ failures: [Failure]) { remaining = Mutex(failures) }
        var attemptCount: Int { attempts.load(ordering: .relaxed) }
        func call() throws -> Int {
            let n = attempts.add(1, ordering: .relaxed).newValue
            if let failure = remaining.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
            return n
        }
    }

    func policy(_ clock: TestClock, maxRetries: Int = 5, jitter: Double = 0.1,
                random: @escaping @Sendable () -> Double = { 0.5 }) -> RetryPolicy {
        RetryPolicy(maxRetries: maxRetries, backoffBaseSeconds: 1.0, maxDelay: .seconds(60), jitter: jitter,
                    clock: clock, random: random)
    }

    func run(_ policy: RetryPolicy, _ script: Script) async throws -> Int {
        try await policy.run({ try script.call() },
                             isRetriable: { ($0 as? Failure)?.retriable ?? false },
                             retryAfter: { ($0 as? Failure)?.retryAfter })
    }

    @Test func delaysDoubleFromTheBaseUpToTheCap() {
        let p = policy(TestClock(), jitter: 0)
        #expect((1...8).map { p.delay(forRetry: $0) } == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(p.delay(forRetry: 10_000) == .seconds(60))
    }

    @Test func jitterSpreadsWithinTheConfiguredFraction() {
        let low = policy(TestClock(), jitter: 0.2, random: { 0 })
        let high = policy(TestClock(), jitter: 0.2, random: { 0.999_999 })
        #expect(approximately(low.delay(forRetry: 3), .seconds(3.2)))
        #expect(high.delay(forRetry: 3) > .seconds(4.79) && high.delay(forRetry: 3) < .seconds(4.8))
        // Jitter never pushes past the cap.
        #expect(high.delay(forRetry: 7) == .seconds(60))
    }

    @Test func retriesUntilSuccess() async throws {
        let clock = TestClock()
        let script = Script([Failure(), Failure()])
        #expect(try await run(policy(clock), script) == 3)
        #expect(clock.sleeps == [.seconds(1), .seconds(2)])
    }

    @Test func honoursALongerRetryAfter() async throws {
        let clock = TestClock()
        let script = Script([Failure(retryAfter: .seconds(30)), Failure(retryAfter: .milliseconds(100)),
                             Failure(retryAfter: .seconds(600))])
        #expect(try await run(policy(clock), script) == 4)
        // 30 s beats 1 s; 2 s beats 100 ms; Retry-After is not capped at 60 s.
        #expect(clock.sleeps == [.seconds(30), .seconds(2), .seconds(600)])
    }

    @Test func nonRetriableErrorsFailAtOnce() async throws {
        let clock = TestClock()
        let script = Script([Failure(retriable: false)])
        await #expect(throws: Failure(retriable: false)) { try await run(policy(clock), script) }
        #expect(script.attemptCount == 1 && clock.sleeps.isEmpty)
    }

    @Test func givesUpAfterMaxRetriesWithTheLastError() async throws {
        let clock = TestClock()
        let script = Script([Failure(), Failure(), Failure(retryAfter: .seconds(7))])
        await #expect(throws: Failure(retryAfter: .seconds(7))) { try await run(policy(clock, maxRetries: 2), script) }
        #expect(script.attemptCount == 3)
        #expect(clock.sleeps == [.seconds(1), .seconds(2)])
    }

    @Test func zeroRetriesTriesOnce() async throws {
        let script = Script([Failure()])
        await #expect(throws: Failure.self) { try await run(policy(TestClock(), maxRetries: 0), script) }
        #expect(script.attemptCount == 1)
    }

    @Test func reportsEachRetry() async throws {
        let clock = TestClock()
        let script = Script([Failure(), Failure()])
        var seen: [(Int, Duration)] = []
        _ = try await policy(clock).run({ try script.call() }, onRetry: { seen.append(($0.retry, $0.delay)) })
        #expect(seen.map(\.0) == [1, 2])
        #expect(seen.map(\.1) == [.seconds(1), .seconds(2)])
    }

    @Test func cancellationIsNotRetried() async throws {
        let clock = TestClock(.manual)
        let script = Script(Array(repeating: Failure(), count: 10))
        let p = policy(clock)
        let task = Task { try await run(p, script) }
        try await clock.waitForSleepers(1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(script.attemptCount == 1)
    }
}
