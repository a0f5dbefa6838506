import Foundation
import Kafka
import Logging

/// The rule of a status store shared by a group: a record from an older group generation must not
/// overwrite a newer owner's. The status topic is followed; before writing a source's record a
/// replica checks that the record there is its own, or from a generation no newer than its own —
/// so a replica cut off from the group (its partitions already reassigned) cannot overwrite the new
/// owner's status before it learns it lost them.
public final class StaleStatusGuard: Sendable {
    private let view: StatusTopicView
    private let instanceID: String

    /// Over a view of the status topic that the caller starts and stops.
    public init(view: StatusTopicView, instanceID: String) {
        self.view = view
        self.instanceID = instanceID
    }

    /// With a view of its own (`start`/`stop` run it).
    public convenience init(topic: String, configuration: KafkaConsumerConfiguration, instanceID: String, logger: Logger) {
        self.init(view: StatusTopicView(topic: topic, configuration: configuration, logger: logger), instanceID: instanceID)
    }

    public func start() async throws { try await view.start() }
    public func stop() async { await view.stop() }

    /// Whether this replica, at `generation`, may write the status of `sourceID`.
    public func mayWrite(sourceID: String, generation: Int) -> Bool {
        guard let record = view.status(of: sourceID) else { return true }
        return record.instanceID == instanceID || record.generation <= generation
    }
}
