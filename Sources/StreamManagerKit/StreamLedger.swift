import Foundation
import HTTPTransport
import Kafka
import Logging
import Pipeline
import StreamConfig
import Synchronization

/// A stream's books: the config it runs, its cursor bookkeeping and its counters. Records go in
/// through `emit` (numbered as they are queued) and their outcomes come back through `settle`; the
/// cursor after a run of records is committed once every record before it is settled. The
/// ingestion loop's callbacks and the outcome handler hold the ledger, not the stream, so nothing
/// needs a weak reference.
final class StreamLedger: Sendable {
    let sourceID: String
    let streamID: String

    struct Shared {
        var source: DesiredSource
        var tracker = CursorTracker()
        var processed = 0
        var failed = 0
        /// Records the queue's overflow strategy dropped, and when it last did.
        var dropped = 0
        var lastDropAt: ContinuousClock.Instant?
        var errors = 0
        var lastError: String?
        /// The last poll failed / the last settled send had failures (DEGRADED in the status topic).
        var pollFailing = false
        var sendFailing = false
        var lastCommitted: String?
        var safeCursor: String?
        var lastCommitAt = ContinuousClock.now
        /// A crash simulation: nothing is committed any more.
        var abandoned = false
        // What stall detection and the status record read (`StreamActivity`).
        /// The last completed fetch; the stream's start before any.
        var lastFetchAt = ContinuousClock.now
        var consecutiveFailures = 0
        /// The last delivered record or completed empty fetch.
        var lastProgressAt: Date?
        var pendingSince: ContinuousClock.Instant?
        var lastSettleAt: ContinuousClock.Instant?
        var enqueueSince: ContinuousClock.Instant?
        /// The ingestion loop returned without a stop being asked for.
        var loopEnded = false
    }

    private let shared: Mutex<Shared>
    private let queue: PriorityQueue
    private let sink: KafkaSink
    private let resolver: TopicResolver
    private let offsets: OffsetStore?
    private let outcomes: DeliveryOutcomeHandlers
    /// The source's secrets, masked again in whatever this stream reports (`last_error`, logs,
    /// `dlq.error`, the cursor in `/status`), whoever made the text: connectors are not trusted
    /// to have done it.
    let redaction: Redaction
    private let logger: Logger
    private let drained = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let budgets: BudgetBoard

    init(sourceID: String, streamID: String, source: DesiredSource, committed: String?, components: RuntimeComponents,
         redaction: Redaction, logger: Logger) {
        self.sourceID = sourceID
        self.streamID = streamID
        shared = Mutex(Shared(source: source, lastCommitted: committed, safeCursor: committed))
        queue = components.queue
        sink = components.sink
        resolver = components.resolver
        offsets = components.offsets
        outcomes = components.outcomes
        budgets = components.budgets
        self.redaction = redaction
        self.logger = logger
    }

    var source: DesiredSource { shared.withLock { $0.source } }

    func replaceSource(_ source: DesiredSource) { shared.withLock { $0.source = source } }

    /// The cursor known delivered (the last one committed or due to be).
    var deliveredCursor: String? { shared.withLock { $0.safeCursor } }

    var pendingCount: Int { shared.withLock { $0.tracker.pendingCount } }

    // MARK: records in

    func emit(_ records: [SourceRecord], next: String?) async throws {
        let (config, sequences) = shared.withLock { s in
            if s.tracker.pendingCount == 0 && !records.isEmpty { s.pendingSince = .now }
            return (s.source.config, s.tracker.issue(records.count))
        }
        let sourceHeaders = [KafkaHeader(key: "source_id", string: sourceID),
                             KafkaHeader(key: "source_type", string: config.sourceType)]
        var batch: [PipelineRecord] = []
        batch.reserveCapacity(records.count)
        let priority = config.priority
        for (record, sequence) in zip(records, sequences) {
            batch.append(PipelineRecord(sourceID: sourceID, streamID: streamID, key: record.key, value: record.value,
                                        headers: record.headers.isEmpty ? sourceHeaders : record.headers + sourceHeaders,
                                        priority: priority, sequence: sequence,
                                        eventTimeMilliseconds: record.eventTimeMilliseconds))
        }
        resolver.resolve(&batch, sourceType: config.sourceType, sourceTopic: config.topic)
        if records.contains(where: { $0.malformed != nil }) {
            // Refused input goes straight to the DLQ; its outcome settles its sequence number.
            var good: [PipelineRecord] = []
            for (record, piped) in zip(records, batch) {
                if let reason = record.malformed {
                    try await sink.deadLetter(piped, error: redaction.text(reason), stage: .transform)
                } else {
                    good.append(piped)
                }
            }
            batch = good
        }
        shared.withLock { $0.enqueueSince = .now }
        let dropped: [PipelineRecord]
        do {
            dropped = try await queue.enqueue(batch)
        } catch {
            shared.withLock { $0.enqueueSince = nil }
            throw error
        }
        shared.withLock {
            $0.enqueueSince = nil
            $0.processed += records.count
        }
        // Dropped records are settled (the cursor may pass them), by the stream each belongs to:
        // drop_oldest can evict another stream's records to admit these.
        if !dropped.isEmpty { outcomes.settle(DeliveryOutcomes.dropped(dropped)) }
        if let next {
            let safe = shared.withLock { $0.tracker.checkpoint(next) }
            if let safe { commit(safe, force: false) }
        }
    }

    func noteError(_ error: Error) {
        let text = redaction.text("\(error)")
        shared.withLock {
            $0.errors += 1
            $0.lastError = text
            $0.pollFailing = true
        }
        logger.warning("poll failed: \(text)")
    }

    func abandon() { shared.withLock { $0.abandoned = true } }

    /// A fetch completed; an empty one is progress (the source has nothing new, and said so).
    func noteFetchSucceeded(records: Int) {
        shared.withLock { s in
            s.pollFailing = false
            s.lastFetchAt = .now
            s.consecutiveFailures = 0
            if records == 0 { s.lastProgressAt = Date() }
        }
    }

    /// A fetch failed, its retries included (`noteError` gets the error).
    func noteFetchFailed() { shared.withLock { $0.consecutiveFailures += 1 } }

    func noteLoopEnded() { shared.withLock { $0.loopEnded = true } }

    // MARK: outcomes

    /// Delivery outcomes for this stream's records (any order).
    func settle(_ outcome: DeliveryOutcomes) {
        settle(outcome.sequences, failed: outcome.failed + outcome.deadLettered, dropped: outcome.dropped)
    }

    func settle(_ sequences: [UInt64], failed: Int, dropped: Int = 0) {
        let (safe, done) = shared.withLock { s -> (String?, Bool) in
            s.failed += failed
            if dropped > 0 {
                s.dropped += dropped
                s.lastDropAt = .now
            }
            if !sequences.isEmpty {
                s.sendFailing = failed > 0
                s.lastSettleAt = .now
                if sequences.count > failed + dropped { s.lastProgressAt = Date() }
            }
            let safe = s.tracker.settle(sequences)
            return (safe, s.tracker.pendingCount == 0)
        }
        if let safe { commit(safe, force: false) }
        if done { releaseDrainWaiters() }
    }

    private func releaseDrainWaiters() {
        let waiters = drained.withLock { w -> [CheckedContinuation<Void, Never>] in defer { w = [] }; return w }
        for w in waiters { w.resume() }
    }

    /// Writes the delivered cursor again with the current config (after a start or a config
    /// change, and after the stream it took over from has drained and committed its last cursor).
    func recommit(fallback: String? = nil) {
        let cursor = shared.withLock { s -> String? in
            if s.safeCursor == nil { s.safeCursor = fallback }
            return s.safeCursor
        }
        commit(cursor, force: true)
    }

    /// Writes the cursor to the offsets topic, at most about once a second unless forced
    /// (a stop always writes the last one).
    private func commit(_ cursor: String?, force: Bool) {
        let write: CommittedCursor? = shared.withLock { s in
            guard !s.abandoned else { return nil }
            s.safeCursor = cursor
            guard force || (ContinuousClock.now - s.lastCommitAt >= .seconds(1) && s.lastCommitted != cursor) else { return nil }
            s.lastCommitted = cursor
            s.lastCommitAt = .now
            return CommittedCursor(cursor: cursor, configHash: s.source.configHash, streamID: streamID,
                                   config: s.source.compactJSON, configVersion: s.source.configVersion)
        }
        if let write { offsets?.commit(sourceID: sourceID, write) }
    }

    /// Waits until every queued record of this stream has its outcome, then commits the final cursor.
    func drain(timeout: Duration) async {
        if pendingCount > 0 {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    await withCheckedContinuation { c in
                        let now = drained.withLock { w -> Bool in
                            if shared.withLock({ $0.tracker.pendingCount }) == 0 { return true }
                            w.append(c)
                            return false
                        }
                        if now { c.resume() }
                    }
                }
                group.addTask { try? await Task.sleep(for: timeout) }
                await group.next()
                group.cancelAll()
                releaseDrainWaiters()
            }
        }
        if let safe = shared.withLock({ $0.safeCursor }) { commit(safe, force: true) }
    }

    // MARK: reporting

    /// How long after its last drop a stream still reports it (DEGRADED, the drop in `last_error`).
    static let dropMemory: Duration = .seconds(30)

    var report: StreamReport {
        let s = shared.withLock { $0 }
        let problem = problem(s)
        return StreamReport(sourceID: sourceID, streamID: streamID, configHash: s.source.configHash,
                            recordsProcessed: s.processed, recordsFailed: s.failed, recordsDropped: s.dropped,
                            lastError: problem?.message ?? s.lastError, problem: problem, lastProgressAt: s.lastProgressAt,
                            consecutiveFailures: s.consecutiveFailures, loopEnded: s.loopEnded)
    }

    /// What is wrong now, most telling first: a stall explains failures and drops that follow
    /// from it.
    private func problem(_ s: Shared) -> StreamProblem? {
        let now = ContinuousClock.now
        let dropping = s.lastDropAt.map { now - $0 < Self.dropMemory } ?? false
        let dropNote = dropping
            ? "queue full: \(s.dropped) records dropped by queue_overflow_strategy \(queue.overflowStrategy.rawValue)"
            : nil
        return stall(s, now: now)
            ?? dropNote.map { StreamProblem(.dropping, $0) }
            ?? (s.pollFailing ? StreamProblem(.fetchFailing, s.lastError ?? "the last fetch failed") : nil)
            ?? (s.sendFailing ? StreamProblem(.deliveryFailing, s.lastError ?? "the last records sent were not delivered") : nil)
    }

    private func stall(_ s: Shared, now: ContinuousClock.Instant) -> StreamProblem? {
        let ingestion = IngestionSettings(s.source.config.ingestion)
        let interval = ingestion.mode == .batch ? ingestion.scheduleInterval : ingestion.pollingInterval
        let timeout = Saturating.wholeMilliseconds(seconds: SettingBounds.timeout.clamp(s.source.config.timeoutSeconds, nanAs: 30))
        // A source held back by its budget (slot spacing, a pause) is waiting, not stalled.
        let hold = budgets.hold(of: sourceID)
        let activity = StreamActivity(now: now, lastFetchAt: s.lastFetchAt,
                                      fetchBound: StallBounds.noFetch(interval: max(interval, hold), timeout: timeout) + hold,
                                      pendingCount: s.tracker.pendingCount, pendingSince: s.pendingSince,
                                      lastSettleAt: s.lastSettleAt, enqueueSince: s.enqueueSince, lastError: s.lastError,
                                      producerError: s.enqueueSince == nil ? nil : sink.lastClientError.map { "\($0.code.name), \($0.code.text)" })
        return activity.stall()
    }

    func metrics(startedAt: Date, api: FetchPolicyMetrics) -> StreamMetrics {
        let s = shared.withLock { $0 }
        let mode = ModeMetrics(recordsProcessed: s.processed, errors: s.errors,
                               uptimeSeconds: Int(Date().timeIntervalSince(startedAt)))
        return StreamMetrics(sourceID: sourceID, modeName: s.source.config.ingestion.mode.rawValue, mode: mode,
                             apiClient: api, recordsProcessed: s.processed, recordsFailed: s.failed,
                             pendingRecords: s.tracker.pendingCount, cursor: s.lastCommitted.map(redaction.text),
                             lastError: problem(s)?.message ?? s.lastError)
    }
}
