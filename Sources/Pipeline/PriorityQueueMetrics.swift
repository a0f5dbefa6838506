import Metrics
import StreamConfig
import Synchronization

/// The `queue` section of the metrics tree (V1's names plus a few of ours).
public struct PriorityQueueMetrics: Sendable, Equatable, Codable {
    /// Records queued now.
    public var size: Int
    /// Bytes queued now (sum of `PipelineRecord.byteCount`).
    public var bytes: Int
    public var maxSize: Int?
    public var maxBytes: Int?
    /// Records admitted into the queue.
    public var enqueued: Int
    /// Records handed to the consumer.
    public var dequeued: Int
    /// Records lost to the overflow strategy: refused incoming ones and evicted queued ones.
    public var dropped: Int
    /// Records discarded by `remove(streamID:)`.
    public var removed: Int
    /// How full the queue is against the tighter of its two bounds; 0 when unbounded.
    public var utilizationPercent: Double
    /// Queued records per level, keyed by level name (`critical`, `high`, `normal`, `low`).
    public var byPriority: [String: Int]
    public var overflowStrategy: String

    public init(size: Int = 0, bytes: Int = 0, maxSize: Int? = nil, maxBytes: Int? = nil, enqueued: Int = 0,
                dequeued: Int = 0, dropped: Int = 0, removed: Int = 0, utilizationPercent: Double = 0,
                byPriority: [String: Int] = [:], overflowStrategy: String = QueueOverflowStrategy.dropOldest.rawValue) {
        self.size = size
        self.bytes = bytes
        self.maxSize = maxSize
        self.maxBytes = maxBytes
        self.enqueued = enqueued
        self.dequeued = dequeued
        self.dropped = dropped
        self.removed = removed
        self.utilizationPercent = utilizationPercent
        self.byPriority = byPriority
        self.overflowStrategy = overflowStrategy
    }

    enum CodingKeys: String, CodingKey {
        case size
        case bytes
        case maxSize = "max_size"
        case maxBytes = "max_bytes"
        case enqueued
        case dequeued
        case dropped
        case removed
        case utilizationPercent = "utilization_percent"
        case byPriority = "by_priority"
        case overflowStrategy = "overflow_strategy"
    }
}

/// Per-stream counts gathered under the queue's lock, flushed to `perStream` and swift-metrics
/// once per batch. Batches are usually from one stream, so runs keep this to one entry; a
/// stream has one source, so comparing the stream id alone finds the run.
struct SourceTally {
    private(set) var runs: [(stream: String, source: String, count: Int)] = []

    mutating func add(_ source: String, stream: String, count n: Int = 1) {
        if !runs.isEmpty, runs[runs.count - 1].stream == stream {
            runs[runs.count - 1].count += n
        } else {
            runs.append((stream, source, n))
        }
    }

    var isEmpty: Bool { runs.isEmpty }
}

/// The queue's swift-metrics instruments. Counters are cached per source so a batch costs
/// one dictionary lookup per source run, not per record.
final class PriorityQueueInstruments: Sendable {
    private struct PerSource {
        let enqueued: Counter
        let dequeued: Counter
        let dropped: Counter
    }
    private let perSource = Mutex<[String: PerSource]>([:])
    private let size = Gauge(label: "stream_manager_queue_size")
    private let bytes = Gauge(label: "stream_manager_queue_bytes")
    private let utilization = Gauge(label: "stream_manager_queue_utilization_percent")

    /// Drops a removed source's series and cached handles.
    func forget(source: String) {
        let c = perSource.withLock { $0.removeValue(forKey: source) }
        c?.enqueued.destroy()
        c?.dequeued.destroy()
        c?.dropped.destroy()
    }

    func flush(_ tally: Tallies, size: Int, bytes: Int, utilization: Double) {
        if !tally.enqueued.isEmpty || !tally.dequeued.isEmpty || !tally.dropped.isEmpty || !tally.refused.isEmpty {
            perSource.withLock { map in
                for run in tally.enqueued.runs { Self.counters(&map, run.source).enqueued.increment(by: run.count) }
                for run in tally.dequeued.runs { Self.counters(&map, run.source).dequeued.increment(by: run.count) }
                for run in tally.dropped.runs { Self.counters(&map, run.source).dropped.increment(by: run.count) }
                for run in tally.refused.runs { Self.counters(&map, run.source).dropped.increment(by: run.count) }
            }
        }
        self.size.record(size)
        self.bytes.record(bytes)
        self.utilization.record(utilization)
    }

    private static func counters(_ map: inout [String: PerSource], _ source: String) -> PerSource {
        if let c = map[source] { return c }
        let dims = [("source", source)]
        let c = PerSource(enqueued: Counter(label: "stream_manager_queue_enqueued_total", dimensions: dims),
                          dequeued: Counter(label: "stream_manager_queue_dequeued_total", dimensions: dims),
                          dropped: Counter(label: "stream_manager_queue_dropped_total", dimensions: dims))
        map[source] = c
        return c
    }
}
