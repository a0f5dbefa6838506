/// A running stream as the status topic reports it.
public struct StreamReport: Sendable, Equatable {
    public var sourceID: String
    public var streamID: String
    public var configHash: String
    public var recordsProcessed: Int
    public var recordsFailed: Int
    /// Records the queue's overflow strategy dropped.
    public var recordsDropped: Int
    public var lastError: String?
    /// The last poll failed, or the last delivered batch had failures.
    public var degraded: Bool
}
