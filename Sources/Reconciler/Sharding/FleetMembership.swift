import Foundation
import Kafka
import Logging

/// Membership of the replicas' consumer group on the config topic, which Kafka uses only to share
/// out partition numbers (every replica still reads the whole topic for the desired state). On
/// assignment the new partitions become owned; on revocation (or a lost session) `onRevoke` runs
/// synchronously, inside the rebalance, so the sources are stopped — drained, flushed, cursors
/// committed — before the partitions are handed over: a source never runs on two replicas at once.
public struct FleetMembership: Sendable {
    private let topic: String
    private let configuration: KafkaConsumerConfiguration
    private let ownership: Ownership
    private let logger: Logger
    private let onAssign: @Sendable ([Int32]) -> Void
    private let onRevoke: @Sendable ([Int32]) -> Void

    public init(topic: String, configuration: KafkaConsumerConfiguration, ownership: Ownership, logger: Logger,
                onAssign: @escaping @Sendable ([Int32]) -> Void, onRevoke: @escaping @Sendable ([Int32]) -> Void) {
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

    /// Joins and stays in the group until cancelled, then leaves it (revoking everything first).
    public func run() async {
        let (ownership, logger, onAssign, onRevoke, topic) = (self.ownership, self.logger, self.onAssign, self.onRevoke, self.topic)
        let consumer: KafkaConsumer
        let member = MemberBox()
        do {
            consumer = try KafkaConsumer(configuration: configuration, logger: logger) { event in
                switch event {
                case .assigned(let parts):
                    let mine = parts.filter { $0.topic == topic }.map(\.partition)
                    let generation = member.consumer?.groupGeneration
                    ownership.assign(mine, generation: generation)
                    logger.info("assigned config-topic partitions \(mine) (generation \(generation.map(String.init) ?? "?"))")
                    onAssign(mine)
                case .revoked(let parts), .lost(let parts):
                    let mine = parts.filter { $0.topic == topic }.map(\.partition)
                    ownership.revoke(mine, generation: member.consumer?.groupGeneration)
                    logger.info("config-topic partitions \(mine) revoked; releasing their sources")
                    onRevoke(mine)
                }
            }
            member.consumer = consumer
            try consumer.subscribe(topics: [topic])
        } catch {
            logger.error("cannot join the replicas' group: \(error)")
            return
        }
        while !Task.isCancelled {
            // Polling keeps the membership alive and runs the rebalance callbacks; records are
            // not needed here.
            _ = try? await consumer.poll(maxRecords: 100, timeout: .milliseconds(200))
        }
        await consumer.close()
    }
}

/// Lets the rebalance callback reach the consumer it belongs to (created after the callback).
private final class MemberBox: @unchecked Sendable {
    private let lock = NSLock()
    private weak var _consumer: KafkaConsumer?
    var consumer: KafkaConsumer? {
        get { lock.withLock { _consumer } }
        set { lock.withLock { _consumer = newValue } }
    }
}
