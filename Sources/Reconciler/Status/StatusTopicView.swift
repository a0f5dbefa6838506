import Foundation
import Kafka
import Logging
import Pipeline
import ServiceLifecycle

/// The status topic as it is now, followed in memory: whose record each source has (the stale-
/// status guard), and which records describe sources nobody wants any more (the publisher's
/// clean-up). `start()` reads it to its end; `run()` (a `Service`) follows it until graceful shutdown.
public final class StatusTopicView: Service, Sendable {
    private let follower: CompactedTopicFollower

    /// `onBudgetPause` gets every budget pause a `budget:<name>` record announces; `observe` every
    /// record as it is read (the fleet dashboard's board).
    public init(topic: String, configuration: KafkaConsumerConfiguration, logger: Logger,
                onBudgetPause: (@Sendable (BudgetPause) -> Void)? = nil,
                observe: (@Sendable (ConsumerRecord) -> Void)? = nil) {
        var each: (@Sendable (ConsumerRecord) -> Void)? = observe
        if let onBudgetPause {
            each = { record in
                if let pause = BudgetPauseRecord.pause(from: record) { onBudgetPause(pause) }
                observe?(record)
            }
        }
        follower = CompactedTopicFollower(topic: topic, configuration: configuration, logger: logger, observe: each)
    }

    /// Reads the topic to its end.
    public func start() async throws { try await follower.start() }
    /// Follows the topic from there until graceful shutdown or cancellation.
    public func run() async { await follower.run() }
    /// Waits until every record written before the call has been read.
    public func catchUp() async throws { try await follower.catchUp() }
    /// Closes the reader once `run()` has returned.
    public func stop() async { await follower.stop() }

    /// A source's record as the topic holds it (nil when absent, tombstoned or unreadable).
    public func status(of sourceID: String) -> SourceStatus? {
        guard let value = follower.value(forKey: SourceStatus.key(sourceID))?.value else { return nil }
        return try? JSONDecoder().decode(SourceStatus.self, from: Data(value))
    }

    /// The source ids that have a record.
    public var sourceIDs: [String] {
        follower.values.keys.filter { $0.hasPrefix("source:") }.map { String($0.dropFirst("source:".count)) }
    }

    /// Whether a manager's heartbeat is in the topic (it is tombstoned when a manager stops gracefully).
    public func hasHeartbeat(instanceID: String) -> Bool {
        follower.value(forKey: ManagerHeartbeat.key(instanceID)) != nil
    }
}
