import BlockingCalls
import Logging
import Synchronization

/// A compacted topic kept current in memory: every partition read from the beginning and then
/// followed. `catchUp()` waits until everything written before the call has been read — what a
/// replica needs before resuming a source another replica has just committed and handed over.
public final class CompactedTopicFollower: Sendable {
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
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let consumer = Mutex<KafkaConsumer?>(nil)

    public init(topic: String, configuration: KafkaConsumerConfiguration, logger: Logger) {
        self.topic = topic
        var configuration = configuration
        configuration.groupID = nil
        self.configuration = configuration
        self.logger = logger
    }

    /// Starts reading; returns once every partition is read to its current end.
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
        task.withLock {
            $0 = Task { [self] in
                while !Task.isCancelled {
                    guard let batch = try? await consumer.poll(maxRecords: 1_000, timeout: .milliseconds(100)) else { continue }
                    guard !batch.records.isEmpty else { continue }
                    state.withLock { s in
                        for record in batch.records {
                            _ = s.fold.apply(record)
                            s.positions[record.partition] = max(s.positions[record.partition] ?? 0, record.offset + 1)
                        }
                    }
                }
            }
        }
        try await catchUp(timeout: timeout)
    }

    /// Waits until every record written before this call has been read.
    public func catchUp(timeout: Duration = .seconds(30)) async throws {
        guard let consumer = consumer.withLock({ $0 }) else { return }
        let handle = consumer.handle
        let (topic, partitions) = (self.topic, state.withLock { $0.partitions })
        var ends: [Int32: Int64] = [:]
        for p in partitions {
            let (low, high) = try await BlockingCalls.run { try handle.watermarks(topic: topic, partition: p, timeoutMilliseconds: 10_000) }
            if high > low { ends[p] = high }
        }
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ s in ends.contains { (s.positions[$0.key] ?? 0) < $0.value } }) {
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

    public func stop() async {
        task.withLock { $0?.cancel() }
        await task.withLock({ $0 })?.value
        await consumer.withLock({ $0 })?.close()
    }
}
