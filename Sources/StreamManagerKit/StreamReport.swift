import Foundation

/// A running stream as the status topic reports it.
public struct StreamReport: Sendable, Equatable {
    public var sourceID: String
    public var streamID: String
    public var configHash: String
    public var recordsProcessed: Int
    public var recordsFailed: Int
    /// Records the queue's overflow strategy dropped.
    public var recordsDropped: Int
    /// The problem's message while there is one, else the last error the stream met.
    public var lastError: String?
    /// Why the stream is DEGRADED now; nil while it is healthy.
    public var problem: StreamProblem?
    /// The last delivered record or completed empty fetch.
    public var lastProgressAt: Date?
    /// Fetches that failed in a row (0 after one succeeds).
    public var consecutiveFailures: Int
    /// The ingestion loop ended without being asked to stop: the stream does nothing any more.
    public var loopEnded: Bool

    public var degraded: Bool { problem != nil }

    public init(sourceID: String, streamID: String, configHash: String, recordsProcessed: Int = 0, recordsFailed: Int = 0,
                recordsDropped: Int = 0, lastError: String? = nil, problem: StreamProblem? = nil, lastProgressAt: Date? = nil,
                consecutiveFailures: Int = 0, loopEnded: Bool = false) {
        self.sourceID = sourceID
        self.streamID = streamID
        self.configHash = configHash
        self.recordsProcessed = recordsProcessed
        self.recordsFailed = recordsFailed
        self.recordsDropped = recordsDropped
        self.lastError = lastError
        self.problem = problem
        self.lastProgressAt = lastProgressAt
        self.consecutiveFailures = consecutiveFailures
        self.loopEnded = loopEnded
    }
}
