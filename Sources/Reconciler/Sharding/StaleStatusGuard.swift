import Foundation
import Kafka
import Logging

/// Kafka Connect's rule for its status store: a record from an older group generation must not
/// overwrite a newer owner's. The status topic is followed; before writing a source's record a
/// replica checks that the record there is its own, or from a generation no newer than its own —
/// so a replica cut off from the group (its partitions already reassigned) cannot overwrite the new
/// owner's status before it learns it lost them.
public final class StaleStatusGuard: Sendable {
    private let follower: CompactedTopicFollower
    private let instanceID: String

    public init(topic: String, configuration: KafkaConsumerConfiguration, instanceID: String, logger: Logger) {
        follower = CompactedTopicFollower(topic: topic, configuration: configuration, logger: logger)
        self.instanceID = instanceID
    }

    public func start() async throws { try await follower.start() }
    public func stop() async { await follower.stop() }

    /// Whether this replica, at `generation`, may write the status of `sourceID`.
    public func mayWrite(sourceID: String, generation: Int) -> Bool {
        guard let value = follower.value(forKey: SourceStatus.key(sourceID))?.value,
              let record = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any] else { return true }
        let owner = record["instance_id"] as? String
        let written = record["generation"] as? Int ?? 0
        return owner == instanceID || written <= generation
    }
}
