import BlockingCalls
import Logging
import ServiceLifecycle
import Synchronization

/// A compacted topic kept current in memory: `start()` reads every partition from the beginning to
/// its end, then `run()` (a `Service`) follows it until graceful shutdown. `catchUp()` waits until
/// everything written before the call has been read — what a replica needs before resuming a
/// source another replica has just committed and handed over.
public final class CompactedTopicFollower: Service, Sendable {
    private struct State {
        var fold = CompactedTopicFold()
        /// Partition → the next offset to read.
        var positions: [Int32: Int64] = [:]
        var partitions: [Int32] = []
        var failure: String?
    }

    public let topic: String
    private let configuration: KafkaConsumerConfiguration
    private let logger: Logger
    private let state = Mutex(State())
    private let consumer = Mutex<KafkaConsumer?>(nil)
    private let observe: (@Sendable (ConsumerRecord) -> Void)?

    /// `observe` sees every record as it is read (tombstones included), for readers that act on
    /// records rather than look them up.
    public init(topic: String, configuration: KafkaConsumerConfiguration, logger: Logger,
                observe: (@Sendable (ConsumerRecord) -> Void)? = nil) {
        self.topic = topic
        self.observe = observe
        var configuration = configuration
        configuration.groupID = nil
        self.configuration = configuration
        self.logger = logger
    }

    /// Reads every partition to its current end (in the caller's task); `run()` follows from there.
    public func start(timeout: Duration = .seconds(30)) async throws {
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        let handle = consumer.handle
        let topic = self.topic
        let metadata = try await BlockingCalls.run { try handle.metadata(topic: topic, timeoutMilliseconds: 10_000) }
        let partitions = metadata.first { $0.name == topic }?.partitions ?? []
        guard !partitions.isEmpty else { throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(topic) does not exist") }
        try consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { (TopicPartition(topic: topic, partition: $0), KafkaOffset.beginning) }))
        state.withLock { $0.partitions = partitions }
        self.consumer.withLock { $0 = consumer }
        let ends = try await currentEnds(consumer)
        let deadline = ContinuousClock.now + timeout
        while !isRead(to: ends) {
            guard ContinuousClock.now < deadline else {
                throw KafkaError(code: .timedOut, message: "reading \(topic) to its end timed out")
            }
            try? await pollOnce(consumer)
        }
    }

    /// Follows the topic until graceful shutdown or cancellation.
    public func run() async {
        guard let consumer = consumer.withLock({ $0 }) else { return }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await pollOnce(consumer)
        }
    }

    private func pollOnce(_ consumer: KafkaConsumer) async throws {
        let batch = try await consumer.poll(maxRecords: 1_000, timeout: .milliseconds(100))
        guard !batch.records.isEmpty else { return }
        state.withLock { s in
            for record in batch.records {
                _ = s.fold.apply(record)
                s.positions[record.partition] = max(s.positions[record.partition] ?? 0, record.offset + 1)
            }
        }
        if let observe { for record in batch.records { observe(record) } }
    }

    /// Whether every partition has been read up to `ends`.
    private func isRead(to ends: [Int32: Int64]) -> Bool {
        state.withLock { s in !ends.contains { (s.positions[$0.key] ?? 0) < $0.value } }
    }

    /// Each non-empty partition's high watermark now.
    private func currentEnds(_ consumer: KafkaConsumer) async throws -> [Int32: Int64] {
        let handle = consumer.handle
        let (topic, partitions) = (self.topic, state.withLock { $0.partitions })
        return try await handle.watermarks(topic: topic, partitions: partitions, timeoutMilliseconds: 10_000)
            .filter { $0.value.high > $0.value.low }.mapValues(\.high)
    }

    /// Waits until every record written before this call has been read by `run()`.
    public func catchUp(timeout: Duration = .seconds(30)) async throws {
        guard let consumer = consumer.withLock({ $0 }) else { return }
        let ends = try await currentEnds(consumer)
        let deadline = ContinuousClock.now + timeout
        while !isRead(to: ends) {
            guard ContinuousClock.now < deadline else {
                throw KafkaError(code: .timedOut, message: "reading \(topic) to its end timed out")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The live record of one key (nil when absent or tombstoned).
    public func value(forKey key: String) -> ConsumerRecord? { state.withLock { $0.fold.values[key] } }

    /// The live records by key (tombstoned keys are absent).
    public var values: [String: ConsumerRecord] { state.withLock { $0.fold.values } }

    /// Closes the consumer; call once `run()` has returned (or was never run).
    public func stop() async {
        await consumer.withLock({ s in defer { s = nil }; return s })?.close()
    }
}
