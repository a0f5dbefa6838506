import Foundation
import HTTPTransport
import Kafka
import Logging
import Pipeline
import StreamConfig

/// One running stream: a connector behind its fetch policy, polled by an ingestion loop that feeds
/// the runtime's queue, with its books in a `StreamLedger`. The runtime runs `run()` in its task
/// group; `stopPolling()` ends it at a poll boundary and returns the live cursor.
final class RunningStream: Sendable {
    let sourceID: String
    let streamID: String
    let startedAt = Date()
    let ledger: StreamLedger

    private let api: FetchPolicy
    private let limiter: TokenBucket
    private let loop: IngestionLoop
    private let sink: KafkaSink
    /// The cursor the loop ended at, once `run()` has returned.
    private let exit = OneShot<String?>()

    /// `cursor` is where polling resumes; `committed` the cursor known delivered (they differ in a
    /// make-before-break hand-over, where the old stream's last records may still be in flight).
    init(source: DesiredSource, connector: any SourceConnector, cursor: String?, committed: String?,
         components: RuntimeComponents, redaction: Redaction, logger: Logger) {
        sourceID = source.sourceID
        let streamID = StreamID.make(sourceID: source.sourceID)
        self.streamID = streamID
        var logger = logger
        logger[metadataKey: "stream_id"] = "\(streamID)"
        let ledger = StreamLedger(sourceID: source.sourceID, streamID: streamID, source: source, committed: committed,
                                  components: components, redaction: redaction, logger: logger)
        self.ledger = ledger
        sink = components.sink
        limiter = components.limiters.limiter(sourceID: source.sourceID, ratePerMinute: Self.rate(source.config),
                                              sharedHost: connector.apiHost)
        let api = FetchPolicy(sourceID: source.sourceID, connector: connector, limiter: limiter,
                              settings: FetchPolicy.Settings(source: source.config, retryBackoffBase: components.retryBackoffBase),
                              budgets: components.budgets, clock: components.clock)
        self.api = api
        loop = IngestionLoop(settings: IngestionSettings(source.config.ingestion), cursor: cursor, clock: components.clock,
                             fetch: { request in
                                 do {
                                     let result = try await api.fetch(request)
                                     ledger.noteFetchSucceeded(records: result.records.count)
                                     return result
                                 } catch {
                                     ledger.noteFetchFailed()
                                     throw error
                                 }
                             },
                             emit: { records, next in try await ledger.emit(records, next: next) },
                             onError: { error in ledger.noteError(error) })
    }

    private static func rate(_ s: SourceConfig) -> Double? { s.rateLimitPerMinute > 0 ? Double(s.rateLimitPerMinute) : nil }

    var source: DesiredSource { ledger.source }
    var deliveredCursor: String? { ledger.deliveredCursor }

    /// Polls until `stopPolling()` (or `abandon()`); then `stopPolling()` has its cursor.
    func run() async {
        let cursor = await loop.run()
        if !loop.stopRequested { ledger.noteLoopEnded() }
        exit.resolve(cursor)
    }

    /// Applies a hot change in place: intervals, sizes, rate limit, timeouts, retries, topic,
    /// priority, DLQ topic.
    func applyHot(_ source: DesiredSource, retryBackoffBase: Double) {
        ledger.replaceSource(source)
        loop.update(IngestionSettings(source.config.ingestion))
        api.update(FetchPolicy.Settings(source: source.config, retryBackoffBase: retryBackoffBase))
        limiter.update(ratePerMinute: Self.rate(source.config))
        sink.setDeadLetterTopic(source.config.dlqTopic, forSource: sourceID)
        ledger.recommit()
    }

    /// Writes the delivered cursor again with the current config (see `StreamLedger.recommit`).
    func recommit(fallback: String? = nil) { ledger.recommit(fallback: fallback) }

    /// Stops polling at a poll boundary and returns the live cursor (for a hand-over).
    func stopPolling() async -> String? {
        loop.requestStop()
        return await exit.value
    }

    /// Waits until every queued record of this stream has its outcome, then commits the final cursor.
    func drain(timeout: Duration = .seconds(30)) async { await ledger.drain(timeout: timeout) }

    /// Ends the loop at its next step without draining, and commits nothing more (a crash, for
    /// tests): what it still emits is sent but never committed.
    func abandon() {
        ledger.abandon()
        loop.requestStop()
    }

    var report: StreamReport { ledger.report }
    var metrics: StreamMetrics { ledger.metrics(startedAt: startedAt, api: api.metrics) }
}
