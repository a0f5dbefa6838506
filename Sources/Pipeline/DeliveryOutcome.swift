/// The final outcomes of a run of one stream's records, reported back to the stream so it can
/// commit its cursor once every record before it is settled. Batched per stream: the sink
/// settles hundreds of thousands of records a second and must not do per-record work here.
public struct DeliveryOutcomes: Sendable, Equatable {
    public var streamID: String
    public var sourceID: String
    /// Sequence numbers of the settled records (delivered, dead-lettered, dropped or failed).
    public var sequences: [UInt64] = []
    public var delivered = 0
    /// Not delivered to their topic but kept in the dead-letter topic.
    public var deadLettered = 0
    /// Lost: not delivered and no DLQ copy (DLQ disabled, or the DLQ write failed too).
    public var failed = 0
    /// Dropped by the queue's overflow strategy (`drop_oldest`, `drop_newest`).
    public var dropped = 0

    public init(streamID: String, sourceID: String) {
        self.streamID = streamID
        self.sourceID = sourceID
    }

    /// Outcomes for records the queue dropped. Under `drop_oldest` they may belong to other
    /// streams than the one enqueuing, so they are grouped by stream for routing.
    public static func dropped(_ records: [PipelineRecord]) -> [DeliveryOutcomes] {
        var batcher = OutcomeBatcher()
        for record in records { batcher.add(record) { $0.dropped += 1 } }
        return batcher.runs
    }
}

/// Groups outcomes into runs of one stream (records of a batch mostly come from one stream).
struct OutcomeBatcher {
    private(set) var runs: [DeliveryOutcomes] = []

    mutating func add(_ record: PipelineRecord, _ update: (inout DeliveryOutcomes) -> Void) {
        add(record.streamID, record.sourceID, record.sequence, update)
    }

    mutating func add(_ streamID: String, _ sourceID: String, _ sequence: UInt64,
                      _ update: (inout DeliveryOutcomes) -> Void) {
        if runs.isEmpty || runs[runs.count - 1].streamID != streamID {
            runs.append(DeliveryOutcomes(streamID: streamID, sourceID: sourceID))
        }
        runs[runs.count - 1].sequences.append(sequence)
        update(&runs[runs.count - 1])
    }
}
