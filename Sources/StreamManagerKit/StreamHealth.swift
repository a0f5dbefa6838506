import Foundation

/// Why a running stream is not healthy: the status topic shows it DEGRADED with `kind` as its
/// `reason` and `message` as its `last_error`.
public struct StreamProblem: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// No fetch completes, or queued records are not delivered (`StallBounds`).
        case stalled
        /// Polling has waited on a full queue (`block` overflow) for `StallBounds.blocked`.
        case backpressure
        /// The last fetch failed.
        case fetchFailing = "fetch_failing"
        /// The last settled send had failures (dead-lettered or lost records).
        case deliveryFailing = "delivery_failing"
        /// The overflow strategy dropped records of the stream lately.
        case dropping
    }

    public var kind: Kind
    /// What a user needs to know, in words.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// The bounds of stall detection, in one place. The two fixed ones are what users are told
/// (README, "Topics") and what the tests hold the operator to: they are not settings.
public enum StallBounds {
    /// Records of a stream sitting undelivered this long, nothing of the stream settled
    /// meanwhile: stalled.
    public static let undelivered: Duration = .seconds(60)
    /// Polling suspended this long by a full queue under `block`: backpressure.
    public static let blocked: Duration = .seconds(60)

    /// No fetch completed for this long: stalled. Three polling (or schedule) intervals, but
    /// never less than a fetch that times out once and once more on its first retry, plus
    /// slack, so a slow source is not called stalled for using its timeout.
    public static func noFetch(interval: Duration, timeout: Duration) -> Duration {
        max(interval * 3, timeout * 2 + .seconds(5))
    }
}

/// What stall detection reads of one stream, taken at one instant. Evaluated on the status
/// publisher's tick, not by the ingestion loop: the loop may be the thing that is stuck.
struct StreamActivity {
    var now: ContinuousClock.Instant
    /// The last fetch that completed (an empty one counts, a failed one does not), or the
    /// stream's start before any.
    var lastFetchAt: ContinuousClock.Instant
    var fetchBound: Duration
    var pendingCount: Int
    /// When the stream last went from nothing pending to something pending.
    var pendingSince: ContinuousClock.Instant?
    /// When an outcome of the stream last came back (delivered, failed or dropped).
    var lastSettleAt: ContinuousClock.Instant?
    /// Set while `PriorityQueue.enqueue` runs: under `block` it only takes long when it waits.
    var enqueueSince: ContinuousClock.Instant?
    var lastError: String?
    /// The producer's last client error (brokers down, transport), for a queue that does not
    /// drain: its code and fixed text, so the message stays the same from tick to tick (a
    /// changed message is a new status record).
    var producerError: String?

    /// The stall, if any: a blocked loop first (it also stops fetches and deliveries), then
    /// undelivered records, then fetches that do not complete. The messages name the bound, not
    /// the time elapsed, so they do not change every second.
    func stall() -> StreamProblem? {
        if let since = enqueueSince, now - since >= StallBounds.blocked {
            var text = "backpressure: polling has waited over \(Self.seconds(StallBounds.blocked)) for room in the full queue "
                + "(queue_overflow_strategy block); the queue is not draining to Kafka"
            if let producerError { text += " (producer: \(producerError))" }
            return StreamProblem(.backpressure, text)
        }
        if pendingCount > 0, let pendingSince, now - max(pendingSince, lastSettleAt ?? pendingSince) >= StallBounds.undelivered {
            return StreamProblem(.stalled, "stalled: records queued for Kafka and none delivered for over "
                + Self.seconds(StallBounds.undelivered))
        }
        if now - lastFetchAt >= fetchBound {
            var text = "stalled: no fetch from the source has completed in over \(Self.seconds(fetchBound))"
            if let lastError { text += " (last error: \(lastError))" }
            return StreamProblem(.stalled, text)
        }
        return nil
    }

    static func seconds(_ d: Duration) -> String {
        let seconds = d / .seconds(1)
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
