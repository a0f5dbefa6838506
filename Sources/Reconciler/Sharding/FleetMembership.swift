import Dispatch
import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// Membership of the replicas' consumer group on the config topic, which Kafka uses only to share
/// out partition numbers (every replica still reads the whole topic for the desired state). On
/// assignment the new partitions become owned and `onAssign` runs; on revocation (or a lost
/// session) `onRevoke` runs and the rebalance waits for it, so the sources are stopped — drained,
/// flushed, cursors committed — before the partitions are handed over: a source never runs on two
/// replicas at once. A `Service`: graceful shutdown leaves the group, which revokes everything first.
public struct FleetMembership: Service {
    private let topic: String
    private let configuration: KafkaConsumerConfiguration
    private let ownership: Ownership
    private let logger: Logger
    private let onAssign: @Sendable ([Int32]) async -> Void
    private let onRevoke: @Sendable ([Int32]) async -> Void

    public init(topic: String, configuration: KafkaConsumerConfiguration, ownership: Ownership, logger: Logger,
                onAssign: @escaping @Sendable ([Int32]) async -> Void, onRevoke: @escaping @Sendable ([Int32]) async -> Void) {
        self.topic = topic
        var configuration = configuration
        configuration.assignmentStrategy = .cooperativeSticky  // a rebalance moves only what must move
        configuration.autoOffsetReset = .latest                // the records are read elsewhere
        configuration.enableAutoCommit = false
        self.configuration = configuration
        self.ownership = ownership
        self.logger = logger
        self.onAssign = onAssign
        self.onRevoke = onRevoke
    }

    /// A revocation waiting for its sources to be released; the rebalance waits on `done`.
    private struct Revocation: Sendable {
        let partitions: [Int32]
        let done: DispatchSemaphore
    }

    /// Joins and stays in the group until graceful shutdown or cancellation, then leaves it
    /// (revoking everything first).
    public func run() async {
        let (ownership, logger, topic) = (self.ownership, self.logger, self.topic)
        let (assignments, assigned) = AsyncStream<[Int32]>.makeStream()
        let (revocations, revoked) = AsyncStream<Revocation>.makeStream()
        let member = Member()
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(configuration: configuration, logger: logger) { event in
                switch event {
                case .assigned(let parts):
                    let mine = parts.filter { $0.topic == topic }.map(\.partition)
                    let generation = member.consumer?.groupGeneration
                    ownership.assign(mine, generation: generation)
                    logger.info("assigned config-topic partitions \(mine) (generation \(generation.map(String.init) ?? "?"))")
                    assigned.yield(mine)
                case .revoked(let parts), .lost(let parts):
                    let mine = parts.filter { $0.topic == topic }.map(\.partition)
                    ownership.revoke(mine, generation: member.consumer?.groupGeneration)
                    logger.info("config-topic partitions \(mine) revoked; releasing their sources")
                    // This runs inside the rebalance on the consumer's own thread: hold it until the
                    // revoked sources are stopped, so they are never run twice.
                    let done = DispatchSemaphore(value: 0)
                    if case .enqueued = revoked.yield(Revocation(partitions: mine, done: done)) { done.wait() }
                }
            }
            member.consumer = consumer
            try consumer.subscribe(topics: [topic])
        } catch {
            logger.error("cannot join the replicas' group: \(error)")
            return
        }
        let (onAssign, onRevoke) = (self.onAssign, self.onRevoke)
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await partitions in assignments { await onAssign(partitions) }
            }
            group.addTask {
                for await revocation in revocations {
                    await onRevoke(revocation.partitions)
                    revocation.done.signal()
                }
            }
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                // Polling keeps the membership alive and runs the rebalance callbacks; records are
                // not needed here.
                _ = try? await consumer.poll(maxRecords: 100, timeout: .milliseconds(200))
            }
            // Cancelled, the handler above no longer runs: the rebalance must not wait for it.
            if Task.isCancelled { revoked.finish() }
            await consumer.close()
            assigned.finish()
            revoked.finish()
        }
        member.consumer = nil
    }
}

/// The consumer, for its own rebalance callback (which is created before it). Cleared when the
/// membership ends, which breaks the consumer → callback → consumer cycle.
private final class Member: Sendable {
    private let slot = Mutex<KafkaConsumer?>(nil)
    var consumer: KafkaConsumer? {
        get { slot.withLock { $0 } }
        set { slot.withLock { $0 = newValue } }
    }
}
