import Kafka
import Logging
import StreamConfig
import Synchronization

/// The last stage: takes batches from the manager's priority queue, waits as the throttler
/// says, and hands records to the Kafka producer. Delivery reports decide each record's fate:
/// delivered; retried (up to `maxRetries`, for retriable errors); or sent to the dead-letter
/// topic with the `dlq.*` headers. Every record's final outcome goes to its stream's handler in
/// `DeliveryOutcomeHandlers`: the streams commit cursors only after delivery.
public final class KafkaSink: Sendable {
    public struct Settings: Sendable {
        /// Records taken from the queue per batch (`kafka.batch_size`).
        public var batchSize: Int = 500
        /// Re-sends after librdkafka itself gave up on a record (`kafka.max_retries`).
        public var maxRetries: Int = 3
        public var enableDLQ: Bool = true
        public init() {}
    }

    /// A record to (re-)send.
    struct InFlight: SinkItem {
        var record: PipelineRecord
        var attempts: Int
        /// Set for DLQ copies (the DLQ topic): the outcome is the original record's.
        var deadLetterOf: String?
    }

    /// What the sink remembers of a record librdkafka holds: no key, value or headers (a
    /// failure report carries those back), so nothing big is kept per record in flight and
    /// record buffers are freed on the thread that sends them.
    struct Ticket {
        let streamID: String
        let sourceID: String
        let sequence: UInt64
        let priority: SourcePriority
        let topic: String
        let attempts: Int
        let deadLetterOf: String?

        /// The record again, from what librdkafka handed back with its failure report.
        func restored(from report: DeliveryReport) -> InFlight {
            let copy = report.undelivered
            let record = PipelineRecord(sourceID: sourceID, streamID: streamID, key: copy?.key, value: copy?.value ?? [],
                                        headers: copy?.headers ?? [], priority: priority, topic: topic,
                                        sequence: sequence, eventTimeMilliseconds: copy?.timestampMilliseconds)
            return InFlight(record: record, attempts: attempts, deadLetterOf: deadLetterOf)
        }
    }

    private let queue: PriorityQueue
    private let throttler: Throttler?
    private let settings: Settings
    private let deliveries: Deliveries
    private let producer: KafkaProducer

    /// `outcomes` receives every record's final outcome, by stream id.
    public init(producerConfiguration: KafkaProducerConfiguration, queue: PriorityQueue, throttler: Throttler?,
                settings: Settings = Settings(), logger: Logger, outcomes: DeliveryOutcomeHandlers) throws {
        self.queue = queue
        self.throttler = throttler
        self.settings = settings
        // The producer's delivery handler holds what settles outcomes, not the sink that owns the
        // producer: no reference cycle, so no weak reference.
        let deliveries = Deliveries(settings: settings, logger: logger, outcomes: outcomes)
        self.deliveries = deliveries
        producer = try KafkaProducer(configuration: producerConfiguration, logger: logger) { reports in
            deliveries.handle(reports)
        }
    }

    /// Sets a source's dead-letter topic (`dlq_topic`); by default it is `<topic>.dlq`.
    public func setDeadLetterTopic(_ topic: String?, forSource sourceID: String) {
        deliveries.dlqTopics.withLock { $0[sourceID] = topic }
    }

    /// The send loop: runs until the queue is closed and empty, then flushes. Re-sends run
    /// in a loop of their own, so they go out even while the queue is idle.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                for await items in deliveries.retries.stream {
                    try? await send(items[...])
                    deliveries.pendingRetries.subtract(items.count, ordering: .releasing)
                }
            }
            defer { group.cancelAll() }
            try await sendQueued()
            try? await flush(timeout: .seconds(30))
        }
    }

    private func sendQueued() async throws {
        while true {
            // Pacing comes first: a batch is taken from the queue only when it may go, so a
            // critical record queued during the wait still goes ahead of a low one.
            if let throttler { try await throttler.waitForPacing() }
            // Slices of the arrays the streams enqueued: records are sent without being copied.
            let pieces = await queue.dequeueSlices(max: settings.batchSize)
            if pieces.isEmpty {
                if queue.isClosed { break }
                continue
            }
            if let throttler { try await throttler.throttle(batchOf: pieces.reduce(0) { $0 + $1.count }) }
            for piece in pieces { try await send(piece) }
            deliveries.metrics.batchSent()
        }
    }

    /// Waits until every record handed to the producer has its outcome.
    public func flush(timeout: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while deliveries.inFlightCount.load(ordering: .acquiring) > 0
                || deliveries.pendingRetries.load(ordering: .acquiring) > 0 {
            if ContinuousClock.now >= deadline { throw KafkaError(code: .timedOut, message: "sink flush timed out") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    public func close() async {
        await producer.close()
    }

    /// Names of the topics the cluster has.
    public func topicNames(timeout: Duration = .seconds(5)) async throws -> Set<String> {
        try await producer.topicNames(timeout: timeout)
    }

    /// The producer's latest client-level error (e.g. brokers unreachable), for health checks.
    public var lastClientError: KafkaError? { producer.lastClientError }

    /// Drops a removed source's delivery series.
    public func forgetMetrics(sourceID: String) { deliveries.metrics.forget(source: sourceID) }

    public func metricsSnapshot() -> ProducerMetricsSnapshot {
        deliveries.metrics.snapshot(inFlight: deliveries.inFlightCount.load(ordering: .relaxed))
    }

    /// Hands records to the producer, registering each in the in-flight window under the
    /// same lock as the send, so a delivery report can never arrive before its entry.
    /// Generic so fresh records from the queue go out without being wrapped first.
    private func send<Item: SinkItem>(_ items: ArraySlice<Item>) async throws {
        var index = 0
        let producer = self.producer
        var topic: TopicHandle?
        while index < items.count {
            var rejected: [(InFlight, KafkaError)] = []
            let stalled: Bool = items.withUnsafeBufferPointer { items in
                deliveries.window.withLock { window in
                    while index < items.count {
                        let destination = items[index].deadLetterOf ?? items[index].record.topic
                        let sent = Result { () throws(KafkaError) -> UInt64 in
                            if topic?.name != destination { topic = try producer.topicHandle(for: destination) }
                            // Fields read in place: binding the record would copy (retain) all of it.
                            return try producer.send(to: topic!, key: items[index].record.key, value: items[index].record.value,
                                                     headers: items[index].record.headers,
                                                     timestampMilliseconds: items[index].record.eventTimeMilliseconds)
                        }
                        switch sent {
                        case .success(let id):
                            window.insert(Ticket(streamID: items[index].record.streamID, sourceID: items[index].record.sourceID,
                                                 sequence: items[index].record.sequence, priority: items[index].record.priority,
                                                 topic: items[index].record.topic, attempts: items[index].attempts,
                                                 deadLetterOf: items[index].deadLetterOf), id: id)
                            deliveries.inFlightCount.add(1, ordering: .relaxed)
                        case .failure(let error) where error.code == .queueFull:
                            return true
                        case .failure(let error):
                            // Never enqueued, e.g. an invalid topic name or a record over the size limit.
                            rejected.append((InFlight(record: items[index].record, attempts: items[index].attempts,
                                                      deadLetterOf: items[index].deadLetterOf), error))
                        }
                        index += 1
                    }
                    return false
                }
            }
            for (item, error) in rejected { deliveries.settle(item, error: error) }
            // Backpressure from librdkafka's queue: free slots by serving reports here, as a
            // hand-written librdkafka loop would; wait only if none were ready.
            if stalled, producer.serveDeliveryReports() == 0 { try await Task.sleep(for: .milliseconds(1)) }
        }
    }

    /// Sends a record a pipeline stage refused (e.g. malformed) straight to the DLQ.
    public func deadLetter(_ record: PipelineRecord, error: String, stage: DeadLetter.Stage) async throws {
        let topic = deliveries.dlqTopics.withLock { $0[record.sourceID] } ?? DeadLetter.defaultTopic(for: record.topic)
        var copy = record
        copy.headers = DeadLetter.record(for: record, dlqTopic: topic, error: error, stage: stage, attempts: 1).headers
        if settings.enableDLQ {
            try await send([InFlight(record: copy, attempts: 1, deadLetterOf: topic)][...])
        } else {
            deliveries.report(failed: record)
        }
    }
}

/// What the send loop needs of an item: fresh records from the queue, or re-sends and DLQ copies.
protocol SinkItem {
    var record: PipelineRecord { get }
    var attempts: Int { get }
    var deadLetterOf: String? { get }
}

extension PipelineRecord: SinkItem {
    var record: PipelineRecord { self }
    var attempts: Int { 1 }
    var deadLetterOf: String? { nil }
}

extension KafkaSink {
    /// What settles records once librdkafka reports on them: the in-flight window, the outcome
    /// handlers, re-sends and DLQ copies (handed to the sink's retry loop), the producer metrics.
    /// Shared by the sink and the producer's delivery handler.
    final class Deliveries: Sendable {
        let window = Mutex(InFlightWindow<Ticket>())
        let metrics = ProducerMetrics()
        /// Re-sends and DLQ copies, handed from the delivery-report thread to the retry loop.
        let retries = AsyncStream<[InFlight]>.makeStream()
        let pendingRetries = Atomic<Int>(0)
        let inFlightCount = Atomic<Int>(0)
        let dlqTopics = Mutex<[String: String]>([:])
        private let settings: Settings
        private let logger: Logger
        private let outcomes: DeliveryOutcomeHandlers

        init(settings: Settings, logger: Logger, outcomes: DeliveryOutcomeHandlers) {
            self.settings = settings
            self.logger = logger
            self.outcomes = outcomes
        }

        /// Delivery reports, on the producer's polling thread, in batches.
        func handle(_ reports: [DeliveryReport]) {
            var batch = OutcomeBatcher()
            var failures: [(InFlight, KafkaError)] = []
            // Successes are settled under the window lock; failures (rare) are handled after it.
            let settledCount: Int = window.withLock { window in
                var n = 0
                for r in reports {
                    guard let ticket = window.remove(id: r.messageID) else { continue }
                    n += 1
                    if let error = r.error {
                        failures.append((ticket.restored(from: r), error))
                    } else if ticket.deadLetterOf != nil {
                        batch.add(ticket.streamID, ticket.sourceID, ticket.sequence) { $0.deadLettered += 1 }
                    } else {
                        batch.add(ticket.streamID, ticket.sourceID, ticket.sequence) { $0.delivered += 1 }
                    }
                }
                return n
            }
            inFlightCount.subtract(settledCount, ordering: .relaxed)
            var retried = 0
            var toRetry: [InFlight] = []
            for (item, error) in failures {
                if item.deadLetterOf != nil {
                    // The outcome of a DLQ copy is the outcome of the original record.
                    logger.error("record of \(item.record.sourceID) lost: DLQ write failed: \(error)")
                    batch.add(item.record) { $0.failed += 1 }
                } else if error.isRetriable && item.attempts <= settings.maxRetries {
                    var again = item
                    again.attempts += 1
                    toRetry.append(again)
                    retried += 1
                } else if let dlqItem = deadLetterCopy(of: item, error: error) {
                    toRetry.append(dlqItem)
                } else {
                    logger.error("record of \(item.record.sourceID) not delivered to \(item.record.topic): \(error)")
                    batch.add(item.record) { $0.failed += 1 }
                }
            }
            if !toRetry.isEmpty { retry(toRetry) }
            metrics.record(batch.runs, retries: retried)
            outcomes.settle(batch.runs)
        }

        /// Settles a record that never reached librdkafka.
        func settle(_ item: InFlight, error: KafkaError) {
            if let dlqItem = deadLetterCopy(of: item, error: error) {
                retry([dlqItem])
            } else {
                report(failed: item.record)
            }
        }

        func retry(_ items: [InFlight]) {
            pendingRetries.add(items.count, ordering: .releasing)
            retries.continuation.yield(items)
        }

        func report(failed record: PipelineRecord) {
            var outcome = DeliveryOutcomes(streamID: record.streamID, sourceID: record.sourceID)
            outcome.sequences = [record.sequence]
            outcome.failed = 1
            metrics.record([outcome], retries: 0)
            outcomes.settle([outcome])
        }

        func deadLetterCopy(of item: InFlight, error: KafkaError) -> InFlight? {
            guard settings.enableDLQ, item.deadLetterOf == nil else { return nil }
            let topic = dlqTopics.withLock { $0[item.record.sourceID] } ?? DeadLetter.defaultTopic(for: item.record.topic)
            let copy = DeadLetter.record(for: item.record, dlqTopic: topic, error: error.description, stage: .produce,
                                         attempts: item.attempts)
            var record = item.record
            record.headers = copy.headers
            return InFlight(record: record, attempts: item.attempts, deadLetterOf: topic)
        }
    }
}
