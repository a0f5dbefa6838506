import Foundation
import Synchronization

/// Whether the Kafka brokers answer, from a metadata probe every `interval`. librdkafka reports
/// when all brokers go down but not when they come back, so the operator asks. Streams show
/// DEGRADED once two probes in a row have failed; `/readyz` fails once the brokers have been
/// unreachable longer than `manager.broker_unavailable_seconds`.
final class BrokerHealth: Sendable {
    private struct State {
        var unreachableSince: ContinuousClock.Instant?
        var failures = 0
        var lastError: String?
    }

    private let state = Mutex(State())
    private let probe: @Sendable () async throws -> Void
    private let interval: Duration

    init(interval: Duration = .seconds(2), probe: @escaping @Sendable () async throws -> Void) {
        self.interval = interval
        self.probe = probe
    }

    /// Probes until cancelled.
    func run() async {
        while !Task.isCancelled {
            do {
                try await probe()
                state.withLock { $0 = State() }
            } catch {
                state.withLock { s in
                    if s.unreachableSince == nil { s.unreachableSince = .now }
                    s.failures += 1
                    s.lastError = "\(error)"
                }
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// How long the brokers have not answered (nil while they do).
    var unreachableFor: Duration? { state.withLock { s in s.unreachableSince.map { ContinuousClock.now - $0 } } }

    /// The probe's error, once the brokers have failed to answer twice in a row.
    var problem: String? {
        state.withLock { s in
            guard s.failures >= 2, let since = s.unreachableSince else { return nil }
            let seconds = Int((ContinuousClock.now - since) / .seconds(1))
            return "Kafka brokers unreachable for \(seconds) s: \(s.lastError ?? "no answer")"
        }
    }
}
