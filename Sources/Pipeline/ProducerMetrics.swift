import Metrics
import Synchronization

/// The producer section of the metrics tree (`GET /status`; names kept from the V1 API), also exported through
/// swift-metrics so `/metrics` shows them per source.
public struct ProducerMetricsSnapshot: Sendable, Equatable, Codable {
    public var totalSent: Int
    public var totalFailed: Int
    public var retryCount: Int
    public var batchesSent: Int
    public var dlqSent: Int
    public var inFlight: Int

    public static let zero = ProducerMetricsSnapshot(totalSent: 0, totalFailed: 0, retryCount: 0, batchesSent: 0,
                                                     dlqSent: 0, inFlight: 0)

    enum CodingKeys: String, CodingKey {
        case totalSent = "total_sent"
        case totalFailed = "total_failed"
        case retryCount = "retry_count"
        case batchesSent = "batches_sent"
        case dlqSent = "dlq_sent"
        case inFlight = "in_flight"
    }
}

final class ProducerMetrics: Sendable {
    private struct Totals {
        var sent = 0, failed = 0, retries = 0, batches = 0, dlq = 0
        var counters: [String: (sent: Counter, failed: Counter, dlq: Counter)] = [:]
    }
    private let totals = Mutex(Totals())

    /// Adds the counts of one batch of outcomes (one lock per batch, one lookup per run).
    func record(_ runs: [DeliveryOutcomes], retries: Int) {
        totals.withLock { t in
            for run in runs {
                let c = Self.counters(&t, run.sourceID)
                if run.delivered > 0 { t.sent += run.delivered; c.sent.increment(by: run.delivered) }
                if run.failed > 0 { t.failed += run.failed; c.failed.increment(by: run.failed) }
                if run.deadLettered > 0 { t.dlq += run.deadLettered; c.dlq.increment(by: run.deadLettered) }
            }
            t.retries += retries
        }
    }

    /// Drops a removed source's series (and its cached handles, so a later source of the same id
    /// starts new ones).
    func forget(source: String) {
        let c = totals.withLock { $0.counters.removeValue(forKey: source) }
        c?.sent.destroy()
        c?.failed.destroy()
        c?.dlq.destroy()
    }

    func batchSent() { totals.withLock { $0.batches += 1 } }

    func snapshot(inFlight: Int) -> ProducerMetricsSnapshot {
        totals.withLock { t in
            ProducerMetricsSnapshot(totalSent: t.sent, totalFailed: t.failed, retryCount: t.retries,
                                    batchesSent: t.batches, dlqSent: t.dlq, inFlight: inFlight)
        }
    }

    private static func counters(_ t: inout Totals, _ source: String) -> (sent: Counter, failed: Counter, dlq: Counter) {
        if let c = t.counters[source] { return c }
        let c = (Counter(label: "stream_manager_records_sent_total", dimensions: [("source", source)]),
                 Counter(label: "stream_manager_records_failed_total", dimensions: [("source", source)]),
                 Counter(label: "stream_manager_dlq_records_total", dimensions: [("source", source)]))
        t.counters[source] = c
        return c
    }
}
