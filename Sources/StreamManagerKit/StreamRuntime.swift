import Foundation
import HTTPTransport
import Kafka
import Logging
import Pipeline
import StreamConfig
import Synchronization

/// One running stream: a connector behind its fetch policy, polled by an ingestion loop,
/// feeding the manager's queue. It owns the stream's cursor bookkeeping: records are numbered
/// as they are queued and the cursor after them is committed once their outcomes are in.
final class StreamRuntime: Sendable {
    let sourceID: String
    let streamID: String
    let startedAt = Date()

    struct Shared {
        var source: SourceConfig
        var identity: ConfigIdentity
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
    }

    private let shared: Mutex<Shared>
    private let api: FetchPolicy
    private let limiter: TokenBucket
    private let loop: IngestionLoop
    private let queue: PriorityQueue
    private let sink: KafkaSink
    private let resolver: TopicResolver
    private let offsets: OffsetStore?
    private let settleElsewhere: @Sendable ([DeliveryOutcomes]) -> Void
    /// The source's secrets, masked again in whatever this stream reports (`last_error`, logs,
    /// `dlq.error`, the cursor in `/status`), whoever made the text: connectors are not trusted
    /// to have done it.
    private let redaction: Redaction
    private let logger: Logger
    private let loopTask = Mutex<Task<String?, Never>?>(nil)
    private let drained = Mutex<[CheckedContinuation<Void, Never>]>([])

    /// `cursor` is where polling resumes; `committed` the cursor known delivered (they differ in a
    /// make-before-break hand-over, where the old stream's last records may still be in flight).
    init(sourceID: String, source: SourceConfig, identity: ConfigIdentity, connector: any SourceConnector,
         cursor: String?, committed: String?, components: ManagerComponents, redaction: Redaction, logger: Logger) {
        self.sourceID = sourceID
        self.redaction = redaction
        let streamID = StreamID.make(sourceID: sourceID)
        self.streamID = streamID
        shared = Mutex(Shared(source: source, identity: identity, lastCommitted: committed, safeCursor: committed))
        queue = components.queue
        sink = components.sink
        resolver = components.resolver
        offsets = components.offsets
        settleElsewhere = components.settle
        var logger = logger
        logger[metadataKey: "stream_id"] = "\(streamID)"
        self.logger = logger
        limiter = components.limiters.limiter(sourceID: sourceID, ratePerMinute: Self.rate(source),
                                              sharedHost: connector.apiHost)
        api = FetchPolicy(sourceID: sourceID, connector: connector, limiter: limiter,
                        settings: FetchPolicy.Settings(source: source, retryBackoffBase: components.retryBackoffBase),
                        clock: components.clock)
        let emitBox = WeakEmitter()
        let api = self.api
        loop = IngestionLoop(settings: IngestionSettings(source.ingestion), cursor: cursor, clock: components.clock,
                             fetch: { request in
                                 let result = try await api.fetch(request)
                                 emitBox.target?.notePollSucceeded()
                                 return result
                             },
                             emit: { records, next in try await emitBox.target?.emit(records, next: next) },
                             onError: { error in emitBox.target?.noteError(error) })
        emitBox.target = self
    }

    private static func rate(_ s: SourceConfig) -> Double? { s.rateLimitPerMinute > 0 ? Double(s.rateLimitPerMinute) : nil }

    var source: SourceConfig { shared.withLock { $0.source } }
    var configHash: String { shared.withLock { $0.identity.hash } }
    var identity: ConfigIdentity { shared.withLock { $0.identity } }
    var cursor: String? { loop.cursor }

    /// `announce`: write the delivered cursor with this config now (the offsets topic does not
    /// hold this config yet), so a manager that restarts knows what ran even before a delivery.
    func start(announce: Bool = true) {
        let loop = self.loop
        loopTask.withLock { $0 = Task { await loop.run() } }
        if announce { recommit() }
    }

    /// Applies a hot change in place: intervals, sizes, rate limit, timeouts, retries, topic, priority.
    func applyHot(_ source: SourceConfig, identity: ConfigIdentity, retryBackoffBase: Double) {
        shared.withLock {
            $0.source = source
            $0.identity = identity
        }
        loop.update(IngestionSettings(source.ingestion))
        api.update(FetchPolicy.Settings(source: source, retryBackoffBase: retryBackoffBase))
        limiter.update(ratePerMinute: Self.rate(source))
        sink.setDeadLetterTopic(source.dlqTopic, forSource: sourceID)
        recommit()
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

    /// The cursor known delivered (the last one committed or due to be).
    var deliveredCursor: String? { shared.withLock { $0.safeCursor } }

    // MARK: records in

    private func emit(_ records: [SourceRecord], next: String?) async throws {
        let (source, sequences) = shared.withLock { s in (s.source, s.tracker.issue(records.count)) }
        let sourceHeaders = [KafkaHeader(key: "source_id", string: sourceID),
                             KafkaHeader(key: "source_type", string: source.sourceType)]
        var batch: [PipelineRecord] = []
        batch.reserveCapacity(records.count)
        let priority = source.priority
        for (record, sequence) in zip(records, sequences) {
            batch.append(PipelineRecord(sourceID: sourceID, streamID: streamID, key: record.key, value: record.value,
                                        headers: record.headers.isEmpty ? sourceHeaders : record.headers + sourceHeaders,
                                        priority: priority, sequence: sequence,
                                        eventTimeMilliseconds: record.eventTimeMilliseconds))
        }
        resolver.resolve(&batch, sourceType: source.sourceType, sourceTopic: source.topic)
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
        let dropped = try await queue.enqueue(batch)
        shared.withLock { $0.processed += records.count }
        // Dropped records are settled (the cursor may pass them), by the stream each belongs to:
        // drop_oldest can evict another stream's records to admit these.
        if !dropped.isEmpty { settleElsewhere(DeliveryOutcomes.dropped(dropped)) }
        if let next {
            let safe = shared.withLock { $0.tracker.checkpoint(next) }
            if let safe { commit(safe, force: false) }
        }
    }

    private func noteError(_ error: Error) {
        let text = redaction.text("\(error)")
        shared.withLock {
            $0.errors += 1
            $0.lastError = text
            $0.pollFailing = true
        }
        logger.warning("poll failed: \(text)")
    }

    private func notePollSucceeded() {
        shared.withLock { $0.pollFailing = false }
    }

    // MARK: outcomes

    /// Delivery outcomes for this stream's records (any order).
    func settle(_ sequences: [UInt64], failed: Int, dropped: Int = 0) {
        let (safe, done) = shared.withLock { s -> (String?, Bool) in
            s.failed += failed
            if dropped > 0 {
                s.dropped += dropped
                s.lastDropAt = .now
            }
            if !sequences.isEmpty { s.sendFailing = failed > 0 }
            let safe = s.tracker.settle(sequences)
            return (safe, s.tracker.pendingCount == 0)
        }
        if let safe { commit(safe, force: false) }
        if done {
            let waiters = drained.withLock { w -> [CheckedContinuation<Void, Never>] in defer { w = [] }; return w }
            for w in waiters { w.resume() }
        }
    }

    /// Writes the cursor to the offsets topic, at most about once a second unless forced
    /// (a stop always writes the last one).
    private func commit(_ cursor: String?, force: Bool) {
        let write: CommittedCursor? = shared.withLock { s in
            s.safeCursor = cursor
            guard force || (ContinuousClock.now - s.lastCommitAt >= .seconds(1) && s.lastCommitted != cursor) else { return nil }
            s.lastCommitted = cursor
            s.lastCommitAt = .now
            return CommittedCursor(cursor: cursor, configHash: s.identity.hash, streamID: streamID,
                                   config: s.identity.compactJSON, configVersion: s.identity.version)
        }
        if let write { offsets?.commit(sourceID: sourceID, write) }
    }

    // MARK: stopping

    /// Stops polling at a poll boundary and returns the live cursor (for a hand-over).
    func stopPolling() async -> String? {
        loop.requestStop()
        let task = loopTask.withLock { $0 }
        return await task?.value ?? loop.cursor
    }

    /// Waits until every queued record of this stream has its outcome, then commits the final cursor.
    func drain(timeout: Duration = .seconds(30)) async {
        let pending = shared.withLock { $0.tracker.pendingCount }
        if pending > 0 {
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
                let waiters = drained.withLock { w -> [CheckedContinuation<Void, Never>] in defer { w = [] }; return w }
                for w in waiters { w.resume() }
            }
        }
        if let safe = shared.withLock({ $0.safeCursor }) { commit(safe, force: true) }
    }

    /// Ends the loop without draining or committing (a crash, for tests).
    func abandon() {
        loopTask.withLock { $0?.cancel() }
        loop.requestStop()
    }

    // MARK: reporting

    /// How long after its last drop a stream still reports it (DEGRADED, the drop in `last_error`).
    static let dropMemory: Duration = .seconds(30)

    var report: StreamReport {
        let s = shared.withLock { $0 }
        let dropping = s.lastDropAt.map { ContinuousClock.now - $0 < Self.dropMemory } ?? false
        let dropNote = dropping
            ? "queue full: \(s.dropped) records dropped by queue_overflow_strategy \(queue.overflowStrategy.rawValue)"
            : nil
        return StreamReport(sourceID: sourceID, streamID: streamID, configHash: s.identity.hash,
                            recordsProcessed: s.processed, recordsFailed: s.failed, recordsDropped: s.dropped,
                            lastError: dropNote ?? s.lastError, degraded: s.pollFailing || s.sendFailing || dropping)
    }

    var metrics: StreamMetrics {
        let s = shared.withLock { $0 }
        let mode = ModeMetrics(records_processed: s.processed, errors: s.errors,
                               uptime_seconds: Int(Date().timeIntervalSince(startedAt)))
        return StreamMetrics(source_id: sourceID, mode_name: s.source.ingestion.mode.rawValue, mode: mode,
                             api_client: api.metrics, records_processed: s.processed, records_failed: s.failed,
                             pending_records: s.tracker.pendingCount, cursor: s.lastCommitted.map(redaction.text),
                             last_error: s.lastError)
    }
}

/// Lets the loop's closures reach the runtime without a retain cycle.
private final class WeakEmitter: Sendable {
    private let ref = Mutex<WeakRuntime?>(nil)
    private struct WeakRuntime: @unchecked Sendable { weak var value: StreamRuntime? }
    var target: StreamRuntime? {
        get { ref.withLock { $0?.value } }
        set { ref.withLock { $0 = WeakRuntime(value: newValue) } }
    }
}
