import BlockingCalls
import Logging

/// Reads a compacted topic the way a desired-state source needs: every partition from the
/// beginning to the high watermark it had when reading started (the initial sync), folding
/// last-value-per-key, then `initDone` with the snapshot, then each change as it arrives.
public final class CompactedTopicReader: Sendable {
    public enum Event: Sendable, Equatable {
        /// The initial sync is complete: every live key with its winning record.
        case initDone([String: ConsumerRecord])
        case upsert(ConsumerRecord)
        case delete(key: String, tombstone: ConsumerRecord)
        case duplicateKey(CompactedTopicFold.DuplicateKey)
    }

    public let topic: String
    private let configuration: KafkaConsumerConfiguration
    private let logger: Logger
    private let refreshInterval: Duration

    /// `configuration` supplies the servers and client properties; the reader assigns
    /// partitions itself and never joins a group or commits.
    public init(topic: String, configuration: KafkaConsumerConfiguration, logger: Logger,
                partitionRefreshInterval: Duration = .seconds(5)) {
        var config = configuration
        config.enablePartitionEOF = true
        config.enableAutoCommit = false
        config.autoOffsetReset = .earliest
        self.topic = topic
        self.configuration = config
        self.logger = logger
        self.refreshInterval = partitionRefreshInterval
    }

    /// Only the initial sync: the live keys and any duplicate-key warnings.
    public func snapshot() async throws -> (values: [String: ConsumerRecord], duplicates: [CompactedTopicFold.DuplicateKey]) {
        var duplicates: [CompactedTopicFold.DuplicateKey] = []
        var values: [String: ConsumerRecord]?
        try await read { event in
            switch event {
            case .initDone(let snapshot): values = snapshot
            case .duplicateKey(let d): duplicates.append(d)
            default: break
            }
            return values == nil
        }
        guard let values else { throw CancellationError() }
        return (values, duplicates)
    }

    /// The records of the keys `include` accepts, tombstones included, up to the high watermark
    /// each partition had when reading started, in offset order per partition: the versions a
    /// compacted topic still holds, which the folded snapshot hides.
    public func records(where include: (String) -> Bool) async throws -> [ConsumerRecord] {
        var kept: [ConsumerRecord] = []
        var done = false
        try await read(observe: { record in
            if let key = record.keyString, include(key) { kept.append(record) }
        }) { event in
            if case .initDone = event { done = true }
            return !done
        }
        guard done else { throw CancellationError() }
        return kept.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// Reads in the caller's task, handing each event to `handle`, until `handle` returns false or
    /// the task is cancelled. `observe` sees every record as it is read, before it is folded.
    public func read(observe: (ConsumerRecord) -> Void = { _ in }, _ handle: (Event) -> Bool) async throws {
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        // Closed before this returns, however reading ends.
        do {
            try await follow(consumer, observe, handle)
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }

    private func follow(_ consumer: KafkaConsumer, _ observe: (ConsumerRecord) -> Void, _ handle: (Event) -> Bool) async throws {
        var fold = CompactedTopicFold()
        var assigned: Set<Int32> = []
        var pendingEnds: [Int32: Int64] = [:]  // partition → high watermark still to reach
        var initialized = false
        // initDone waits for one successful metadata answer: an unreachable cluster must
        // never look like an empty topic (that would stop every running source).
        var metadataKnown = false
        var lastRefresh = ContinuousClock.now
        var reportedDuplicates: Set<String> = []

        // Partitions that exist now; new ones (topic created later, partitions added) join on refresh.
        func refreshPartitions() async throws {
            let handle = consumer.handle
            let md = try? await BlockingCalls.run { try handle.metadata(topic: nil, timeoutMilliseconds: 5_000) }
            guard let md else {
                if !initialized { logger.warning("cannot reach Kafka to read \(topic); retrying") }
                return
            }
            metadataKnown = true
            let partitions = md.first { $0.name == topic }?.partitions ?? []
            let added = partitions.filter { !assigned.contains($0) }
            guard !added.isEmpty else { return }
            var positions: [TopicPartition: KafkaOffset] = [:]
            let marks = try await handle.watermarks(topic: topic, partitions: added, timeoutMilliseconds: 5_000)
            for p in added {
                if !initialized, let (low, high) = marks[p], high > low { pendingEnds[p] = high }
                positions[TopicPartition(topic: topic, partition: p)] = .beginning
            }
            assigned.formUnion(added)
            try consumer.assignIncrementally(positions)
        }

        try await refreshPartitions()
        while !Task.isCancelled {
            if !initialized && metadataKnown && pendingEnds.isEmpty {
                initialized = true
                guard handle(.initDone(fold.values)) else { return }
            }
            let batch = try await consumer.poll(maxRecords: 1_000, timeout: .milliseconds(100))
            for record in batch.records {
                // Only what the initial sync reads: later records would be past the watermarks.
                if !initialized { observe(record) }
                let (change, duplicate) = fold.apply(record)
                if let duplicate, !reportedDuplicates.contains(duplicate.key) {
                    reportedDuplicates.insert(duplicate.key)
                    logger.warning("\(topic): \(duplicate)")
                    guard handle(.duplicateKey(duplicate)) else { return }
                }
                if let end = pendingEnds[record.partition], record.offset + 1 >= end { pendingEnds[record.partition] = nil }
                guard initialized else { continue }
                switch change {
                case .upsert(let r): guard handle(.upsert(r)) else { return }
                case .delete(let key, let tombstone): guard handle(.delete(key: key, tombstone: tombstone)) else { return }
                case .none: break
                }
            }
            for (tp, offset) in batch.reachedEnd {
                if let end = pendingEnds[tp.partition], offset >= end { pendingEnds[tp.partition] = nil }
            }
            if ContinuousClock.now - lastRefresh >= (metadataKnown ? refreshInterval : .seconds(1)) {
                lastRefresh = ContinuousClock.now
                try await refreshPartitions()
            }
        }
    }
}
