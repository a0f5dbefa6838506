import BlockingCalls
import CRdKafka
import Logging
import Synchronization

/// A group rebalance as the consumer saw it. Delivered synchronously on the polling
/// thread, so work on revoked partitions can stop before they are handed over.
public enum RebalanceEvent: Sendable, Equatable {
    case assigned([TopicPartition])
    case revoked([TopicPartition])
    /// The session expired: the partitions may already belong to someone else.
    case lost([TopicPartition])
}

/// What one poll returned: records, partitions that reached their end (with
/// `enablePartitionEOF`), and non-fatal errors librdkafka reported meanwhile.
public struct ConsumerBatch: Sendable {
    public var records: [ConsumerRecord] = []
    public var reachedEnd: [TopicPartition: Int64] = [:]
    public var errors: [KafkaError] = []
}

/// A consumer over librdkafka: group subscription with rebalance callbacks, or manual
/// assignment; seek; commit; polling as batches or as an `AsyncSequence` of records.
/// Blocking calls run in order on the consumer's own `BlockingLane`, never on the cooperative pool.
public final class KafkaConsumer: Sendable {
    public typealias RebalanceHandler = @Sendable (RebalanceEvent) -> Void

    let handle: RDKafkaHandle
    private let queue: RDKafkaQueue
    private let logger: Logger
    private let lane = BlockingLane(label: "kafka-consumer")
    private let closed = Atomic<Bool>(false)
    private let membership: Membership
    private let cooperative: Bool

    /// Whether the group ever gave this consumer an assignment, and whether it subscribed.
    private final class Membership: Sendable {
        let subscribed = Atomic<Bool>(false)
        let assigned = Atomic<Bool>(false)
    }

    public init(configuration: KafkaConsumerConfiguration, logger: Logger,
                onRebalance: RebalanceHandler? = nil) throws(KafkaError) {
        let membership = Membership()
        self.membership = membership
        cooperative = configuration.assignmentStrategy == .cooperativeSticky
        let context = RDKafkaContext(logger: logger, onRebalance: { rk, err, partitions in
            if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS { membership.assigned.store(true, ordering: .releasing) }
            KafkaConsumer.rebalance(rk: rk, err: err, partitions: partitions, handler: onRebalance, logger: logger)
        })
        handle = try RDKafkaHandle(type: RD_KAFKA_CONSUMER, properties: configuration.librdkafkaProperties(),
                                   context: context)
        rd_kafka_poll_set_consumer(handle.pointer)
        queue = RDKafkaQueue(consumerOf: handle)
        self.logger = logger
    }

    /// Joins the consumer group (configuration `groupID`) for these topics.
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = RDKafkaPartitionList.make(topics.map { (TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA), nil) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_subscribe(handle.pointer, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, context: "subscribe") }
        membership.subscribed.store(true, ordering: .releasing)
    }

    /// Manual assignment (no group): read these partitions from these positions.
    public func assign(_ positions: [TopicPartition: KafkaOffset]) throws(KafkaError) {
        let list = RDKafkaPartitionList.make(positions.sorted { $0.key < $1.key }.map { ($0.key, $0.value.rawValue) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(handle.pointer, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, context: "assign") }
    }

    /// The partitions currently assigned (by the group or manually).
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(handle.pointer, &list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError(err, context: "assignment") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return RDKafkaPartitionList.partitions(list).sorted()
    }

    /// Moves the read position of an assigned partition.
    public func seek(_ partition: TopicPartition, to offset: KafkaOffset, timeout: Duration = .seconds(10)) async throws {
        let rk = handle
        try await run {
            let list = RDKafkaPartitionList.make([(partition, offset.rawValue)])
            defer { rd_kafka_topic_partition_list_destroy(list) }
            if let error = rd_kafka_seek_partitions(rk.pointer, list, timeout.milliseconds) {
                throw KafkaError(consuming: error)
            }
        }
    }

    /// Commits, for each partition, the offset of the next record to read.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        let rk = handle
        try await run {
            let list = RDKafkaPartitionList.make(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_commit(rk.pointer, list, 0)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, context: "commit") }
        }
    }

    /// Commits past `record`, so the group resumes after it.
    public func commit(_ record: ConsumerRecord) async throws {
        try await commit([TopicPartition(topic: record.topic, partition: record.partition): record.offset + 1])
    }

    /// The group's committed offsets for these partitions (nil where none is committed).
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) async throws -> [TopicPartition: Int64?] {
        let rk = handle
        return try await run {
            let list = RDKafkaPartitionList.make(partitions.map { ($0, nil) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_committed(rk.pointer, list, timeout.milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, context: "committed offsets") }
            var result: [TopicPartition: Int64?] = [:]
            for (tp, offset, _) in RDKafkaPartitionList.entries(list) { result[tp] = offset >= 0 ? offset : nil }
            return result
        }
    }

    /// Waits up to `timeout` for records; returns what arrived (possibly nothing).
    /// Rebalance callbacks run inside this call.
    public func poll(maxRecords: Int = 500, timeout: Duration = .milliseconds(100)) async throws -> ConsumerBatch {
        let rk = handle, queue = self.queue, logger = self.logger
        return try await run { [self] in
            var batch = ConsumerBatch()
            if isClosed { return batch }
            var messages = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: max(1, maxRecords))
            // The batch call waits out its whole timeout unless `maxRecords` arrive, so take what is
            // there without waiting, and otherwise wait for the first message only: a record is
            // returned as soon as it arrives (the reconciler's latency depends on it).
            var n = rd_kafka_consume_batch_queue(queue.pointer, 0, &messages, messages.count)
            guard n >= 0 else { throw KafkaError(rd_kafka_last_error(), context: "poll") }
            if n == 0, let first = rd_kafka_consume_queue(queue.pointer, timeout.milliseconds) {
                messages[0] = first
                n = 1
                if messages.count > 1 {
                    let more = messages.withUnsafeMutableBufferPointer { buffer in
                        rd_kafka_consume_batch_queue(queue.pointer, 0, buffer.baseAddress! + 1, buffer.count - 1)
                    }
                    if more > 0 { n += more }
                }
            }
            var names: [OpaquePointer: String] = [:]
            for i in 0..<n {
                guard let m = messages[i] else { continue }
                defer { rd_kafka_message_destroy(m) }
                let err = m.pointee.err
                if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    batch.records.append(RDKafkaMessage.record(m) { rkt in
                        if let name = names[rkt] { return name }
                        let name = String(cString: rd_kafka_topic_name(rkt))
                        names[rkt] = name
                        return name
                    })
                } else if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    let topic = m.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                    batch.reachedEnd[TopicPartition(topic: topic, partition: m.pointee.partition)] = m.pointee.offset
                } else {
                    let error = KafkaError(err)
                    if rd_kafka_fatal_error(rk.pointer, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR { throw error }
                    logger.warning("consumer: \(error)")
                    batch.errors.append(error)
                }
            }
            return batch
        }
    }

    /// Records as an async sequence; ends when the consumer is closed or the task cancelled.
    public var records: Records { Records(consumer: self) }

    public struct Records: AsyncSequence, Sendable {
        public typealias Element = ConsumerRecord
        let consumer: KafkaConsumer

        public struct AsyncIterator: AsyncIteratorProtocol {
            let consumer: KafkaConsumer
            var buffer: [ConsumerRecord] = []
            var index = 0

            public mutating func next() async throws -> ConsumerRecord? {
                while index >= buffer.count {
                    if Task.isCancelled || consumer.isClosed { return nil }
                    buffer = try await consumer.poll().records
                    index = 0
                }
                defer { index += 1 }
                return buffer[index]
            }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: consumer) }
    }

    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Leaves the group (revoking partitions through the rebalance handler) and stops.
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let rk = handle
        _ = try? await run {
            let err = rd_kafka_consumer_close(rk.pointer)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "close") }
        }
        if cooperative, membership.subscribed.load(ordering: .acquiring), !membership.assigned.load(ordering: .acquiring) {
            // librdkafka before 2.3 aborts when it destroys a cooperative-sticky group member
            // that never received an assignment (its assignor state is still null; fixed upstream
            // in 2.3) — a replica stopped during its first rebalance, say. It has left the
            // group; its client is kept rather than destroyed.
            rk.neverDestroy.store(true, ordering: .releasing)
        }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await lane.run(body)
    }

    /// librdkafka's rebalance callback: tell the application, then take or give up the partitions
    /// with the call that matches the group's protocol (incremental for cooperative-sticky).
    private static func rebalance(rk: OpaquePointer, err: rd_kafka_resp_err_t,
                                  partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
                                  handler: RebalanceHandler?, logger: Logger) {
        let list = RDKafkaPartitionList.partitions(partitions).sorted()
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let e = rd_kafka_incremental_assign(rk, partitions) { logger.error("assign: \(KafkaError(consuming: e))") }
            } else {
                rd_kafka_assign(rk, partitions)
            }
            logger.debug("assigned \(list)")
            handler?(.assigned(list))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            logger.debug("\(lost ? "lost" : "revoked") \(list)")
            handler?(lost ? .lost(list) : .revoked(list))
            if cooperative {
                if let e = rd_kafka_incremental_unassign(rk, partitions) { logger.error("unassign: \(KafkaError(consuming: e))") }
            } else {
                rd_kafka_assign(rk, nil)
            }
        default:
            logger.error("rebalance failed: \(KafkaError(err))")
            rd_kafka_assign(rk, nil)
        }
    }
}

extension Duration {
    /// Whole milliseconds for librdkafka's timeout arguments.
    var milliseconds: Int32 {
        let (s, atto) = components
        return Int32(clamping: s * 1000 + atto / 1_000_000_000_000_000)
    }
}

/// The consumer's message queue. Holds the client handle so the queue is always
/// destroyed before the client, as librdkafka requires.
final class RDKafkaQueue: @unchecked Sendable {
    let pointer: OpaquePointer
    private let owner: RDKafkaHandle

    init(consumerOf handle: RDKafkaHandle) {
        owner = handle
        pointer = rd_kafka_queue_get_consumer(handle.pointer)
    }

    deinit { rd_kafka_queue_destroy(pointer) }
}

extension KafkaConsumer {
    /// Adds partitions to a manual assignment without disturbing the others.
    func assignIncrementally(_ positions: [TopicPartition: KafkaOffset]) throws(KafkaError) {
        guard !positions.isEmpty else { return }
        let list = RDKafkaPartitionList.make(positions.sorted { $0.key < $1.key }.map { ($0.key, $0.value.rawValue) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_incremental_assign(handle.pointer, list) { throw KafkaError(consuming: error) }
    }
}
