import Foundation
import Kafka
import Logging
import Synchronization

/// Counters of the DLQ re-driver (`dlq_redrive` in the metrics tree).
public struct DeadLetterRedriveMetrics: Sendable, Codable, Equatable {
    /// Records sent back to their topic and delivered there.
    public var redriven = 0
    /// Re-drives that failed again (the record went back to the DLQ with its count raised).
    public var redriveFailed = 0
    /// Records left in the DLQ for good (limit reached, malformed, or not ours).
    public var parked = 0
    /// DLQ topics being watched.
    public var topics: [String] = []
    public var lastError: String?
    public init() {}

    enum CodingKeys: String, CodingKey {
        case redriven
        case redriveFailed = "redrive_failed"
        case parked
        case topics
        case lastError = "last_error"
    }
}

/// Re-drives dead-lettered records: reads the DLQ topics in a consumer group (so replicas share
/// the partitions), and once a record's delay has passed sends it back to its original topic.
/// A re-drive that fails again goes back to the DLQ with `dlq.redrives` raised; after
/// `maxRedrives` the record stays there. The group's offsets move only past records that are
/// settled (delivered, back in the DLQ, or parked), so a crash re-drives at least once.
public final class DeadLetterRedriver: Sendable {
    private let bootstrapServers: [String]
    private let producerConfiguration: KafkaProducerConfiguration
    private let settings: RedriveSettings
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let counters = Mutex(DeadLetterRedriveMetrics())
    /// How often the set of DLQ topics is looked up again.
    private let topicRefresh: Duration

    public init(bootstrapServers: [String], producerConfiguration: KafkaProducerConfiguration, settings: RedriveSettings,
                logger: Logger, topicRefresh: Duration = .seconds(10), now: @escaping @Sendable () -> Date = { Date() }) {
        self.bootstrapServers = bootstrapServers
        self.producerConfiguration = producerConfiguration
        self.settings = settings
        self.logger = logger
        self.topicRefresh = topicRefresh
        self.now = now
    }

    public var metrics: DeadLetterRedriveMetrics { counters.withLock { $0 } }

    /// Runs until the task is cancelled. `topics` names the DLQ topics to watch, among those
    /// that exist; the re-driver's clients are created only once there is one (a manager whose
    /// records never failed costs nothing). They are looked up every `topicRefresh`, and at once
    /// when `deadLettered` (a count of records sent to a DLQ) changes.
    public func run(topics: @escaping @Sendable () async -> Set<String>,
                    deadLettered: @escaping @Sendable () -> Int = { 0 }) async {
        var clients: (consumer: KafkaConsumer, producer: KafkaProducer)?
        var subscribed: Set<String> = []
        var nextRefresh = ContinuousClock.now
        var seenDeadLettered = deadLettered()
        while !Task.isCancelled {
            let count = deadLettered()
            if ContinuousClock.now >= nextRefresh || count != seenDeadLettered {
                seenDeadLettered = count
                nextRefresh = ContinuousClock.now.advanced(by: topicRefresh)
                let wanted = await topics()
                if wanted != subscribed, !wanted.isEmpty {
                    do {
                        let c = try clients ?? makeClients()
                        clients = c
                        try c.consumer.subscribe(topics: wanted.sorted())
                        subscribed = wanted
                        counters.withLock { $0.topics = wanted.sorted() }
                        logger.info("DLQ re-driver watching \(wanted.sorted().joined(separator: ", "))")
                    } catch {
                        note(error: "cannot watch \(wanted.sorted()): \(error)")
                    }
                }
            }
            guard let (consumer, producer) = clients, !subscribed.isEmpty else {
                try? await Task.sleep(for: .milliseconds(500))
                continue
            }
            do {
                let batch = try await consumer.poll(maxRecords: 200, timeout: .milliseconds(500))
                if let wake = try await handle(batch.records, consumer: consumer, producer: producer) {
                    // Everything left waits for its delay: sleep, but come back to poll the group.
                    let seconds = min(max(wake.timeIntervalSince(now()), 0.01), 1)
                    try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                }
            } catch {
                note(error: "\(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        if let (consumer, producer) = clients {
            await producer.close()
            await consumer.close()
        }
    }

    private func makeClients() throws -> (consumer: KafkaConsumer, producer: KafkaProducer) {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: settings.groupID)
        configuration.autoOffsetReset = .earliest
        configuration.enableAutoCommit = false
        configuration.properties = producerConfiguration.properties  // security settings, as for the offsets store
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        return (consumer, try KafkaProducer(configuration: producerConfiguration, logger: logger))
    }

    /// Settles what is due, seeks back to the first record of each partition that is not;
    /// returns when the earliest of those is due (nil if none waits).
    private func handle(_ records: [ConsumerRecord], consumer: KafkaConsumer, producer: KafkaProducer) async throws -> Date? {
        var waiting: [TopicPartition: Date] = [:]
        var settled: [TopicPartition: Int64] = [:]
        for record in records {
            let tp = TopicPartition(topic: record.topic, partition: record.partition)
            if waiting[tp] != nil { continue }  // behind a record that is not due: keep partition order
            switch RedrivePolicy.decide(record, now: now(), settings: settings) {
            case .wait(let due):
                waiting[tp] = due
                try await consumer.seek(tp, to: .offset(record.offset))
                continue
            case .park(let reason):
                logger.warning("DLQ record \(tp)@\(record.offset) stays in the DLQ: \(reason)")
                counters.withLock { $0.parked += 1 }
            case .redrive(let topic, let headers, let redrives):
                let ok = try await redrive(record, to: topic, headers: headers, redrives: redrives, producer: producer)
                if !ok {
                    // Neither re-sent nor back in the DLQ: try this record again later.
                    waiting[tp] = now().addingTimeInterval(1)
                    try await consumer.seek(tp, to: .offset(record.offset))
                    continue
                }
            }
            settled[tp] = record.offset + 1
        }
        // Awaited, so the offsets are in before the next poll (and before the clients close).
        try await consumer.commit(settled)
        return waiting.values.min()
    }

    /// Sends the record back; if that fails, writes it to the DLQ again with the count raised.
    /// False only if both writes failed.
    private func redrive(_ record: ConsumerRecord, to topic: String, headers: [KafkaHeader], redrives: Int,
                         producer: KafkaProducer) async throws -> Bool {
        do {
            _ = try await producer.sendAndWait(ProducerRecord(topic: topic, key: record.key, value: record.value,
                                                              headers: headers, timestampMilliseconds: record.timestampMilliseconds))
            counters.withLock { $0.redriven += 1 }
            return true
        } catch {
            let sourceID = record.header(DeadLetter.sourceHeader)?.stringValue ?? ""
            let attempts = (record.header(DeadLetter.attemptsHeader)?.stringValue.flatMap { Int($0) } ?? 0) + 1
            let back = DeadLetter.headers(record.headers, error: "\(error)", sourceID: sourceID, stage: .redrive,
                                          attempts: attempts, originalTopic: topic, redrives: redrives, failedAt: now())
            do {
                _ = try await producer.sendAndWait(ProducerRecord(topic: record.topic, key: record.key, value: record.value,
                                                                  headers: back, timestampMilliseconds: record.timestampMilliseconds))
                counters.withLock { $0.redriveFailed += 1 }
                logger.warning("re-drive \(redrives) of a \(sourceID) record to \(topic) failed: \(error); back in \(record.topic)")
                return true
            } catch {
                note(error: "re-drive to \(topic) failed and the DLQ write too: \(error)")
                return false
            }
        }
    }

    private func note(error: String) {
        counters.withLock { $0.lastError = error }
        logger.error("DLQ re-driver: \(error)")
    }
}
