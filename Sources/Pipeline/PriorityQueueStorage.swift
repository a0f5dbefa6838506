import DequeModule
import StreamConfig

/// Records of one stream and one priority that arrived together. The queue stores slices of
/// the callers' arrays rather than single records: enqueuing a batch retains its buffer once
/// instead of every reference in every record, and a batch dequeued whole is handed out in
/// its original buffer.
struct QueueChunk {
    var records: ArraySlice<PipelineRecord>
    var bytes: Int
    let streamID: String
    let sourceID: String
}

/// The queue's records and bounds, without any waiting: the admission and eviction rules
/// live here so they can be reasoned about (and tested) apart from the suspension logic.
struct PriorityQueueStorage {
    /// Per level, chunks in arrival order.
    private var levels: [Deque<QueueChunk>] = Array(repeating: [], count: SourcePriority.allCases.count)
    private var levelCounts: [Int] = Array(repeating: 0, count: SourcePriority.allCases.count)
    private var levelBytes: [Int] = Array(repeating: 0, count: SourcePriority.allCases.count)
    private(set) var count = 0
    private(set) var bytes = 0
    private(set) var perStream: [String: Int] = [:]

    /// nil = unbounded (0 in the config means the same).
    var maxSize: Int?
    var maxBytes: Int?
    var strategy: QueueOverflowStrategy

    private(set) var enqueued = 0
    private(set) var dequeued = 0
    private(set) var dropped = 0
    private(set) var removed = 0

    init(maxSize: Int?, maxBytes: Int?, strategy: QueueOverflowStrategy) {
        self.maxSize = Self.bound(maxSize)
        self.maxBytes = Self.bound(maxBytes)
        self.strategy = strategy
    }

    static func bound(_ value: Int?) -> Int? {
        guard let value, value > 0 else { return nil }
        return value
    }

    func hasRoom(forBytes size: Int) -> Bool {
        if let maxSize, count >= maxSize { return false }
        if let maxBytes, bytes + size > maxBytes { return false }
        return true
    }

    /// Under `block`, a record larger than `maxBytes` alone is let into an empty queue:
    /// waiting for room that can never appear would stall its stream for good.
    func canAdmitBlocking(bytes size: Int) -> Bool {
        count == 0 || hasRoom(forBytes: size)
    }

    var utilizationPercent: Double {
        var ratio = 0.0
        if let maxSize { ratio = Double(count) / Double(maxSize) }
        if let maxBytes { ratio = max(ratio, Double(bytes) / Double(maxBytes)) }
        return ratio * 100
    }

    // MARK: admission

    /// Admits `records[next...]` in order under the current strategy and advances `next`.
    /// Under `block` it stops at the first record that does not fit; otherwise it handles all
    /// of them, appending refused and evicted records to `lost`.
    ///
    /// Admitted records are counted at once but appended lazily, as one chunk per run of equal
    /// stream and priority; a pending run is appended before anything is evicted so eviction
    /// always sees every queued record.
    mutating func admit(_ records: [PipelineRecord], from next: inout Int, lost: inout [PipelineRecord],
                        tally: inout Tallies) {
        var runStart = next, runBytes = 0
        func flushRun(upTo end: Int) {
            guard runStart < end else { return }
            let first = records[runStart]
            levels[first.priority.rank].append(
                QueueChunk(records: records[runStart..<end], bytes: runBytes, streamID: first.streamID,
                           sourceID: first.sourceID))
            tally.enqueued.add(first.sourceID, stream: first.streamID, count: end - runStart)
            runBytes = 0
        }
        while next < records.endIndex {
            let size = records[next].byteCount
            let priority = records[next].priority
            if strategy == .block {
                guard canAdmitBlocking(bytes: size) else { break }
            } else if !hasRoom(forBytes: size) {
                flushRun(upTo: next)
                if strategy == .dropOldest, canEvict(toFit: size, for: priority) {
                    while !hasRoom(forBytes: size), let victim = evictLowest() {
                        tally.dropped.add(victim.sourceID, stream: victim.streamID)
                        lost.append(victim)
                    }
                } else {
                    dropped += 1
                    tally.refused.add(records[next].sourceID, stream: records[next].streamID)
                    lost.append(records[next])
                    next += 1
                    runStart = next
                    continue
                }
                runStart = next
            }
            // Admitted: a new run starts when the stream or the priority changes.
            if runStart < next,
               records[runStart].priority != priority || records[runStart].streamID != records[next].streamID {
                flushRun(upTo: next)
                runStart = next
            }
            runBytes += size
            levelCounts[priority.rank] += 1
            levelBytes[priority.rank] += size
            count += 1
            bytes += size
            enqueued += 1
            next += 1
        }
        flushRun(upTo: next)
    }

    /// Whether evicting records no more important than `priority` can make room for `size`
    /// bytes. Checked before evicting anything, so a refused record never costs a victim.
    private func canEvict(toFit size: Int, for priority: SourcePriority) -> Bool {
        if let maxBytes, size > maxBytes { return false }
        var freeCount = 0, freeBytes = 0
        for level in priority.rank..<levels.count {
            freeCount += levelCounts[level]
            freeBytes += levelBytes[level]
        }
        if let maxSize, count - freeCount >= maxSize { return false }
        if let maxBytes, bytes - freeBytes + size > maxBytes { return false }
        return true
    }

    /// Removes the oldest record of the lowest non-empty level.
    private mutating func evictLowest() -> PipelineRecord? {
        for level in levels.indices.reversed() where !levels[level].isEmpty {
            let chunk = levels[level][0]
            let victim = chunk.records[chunk.records.startIndex]
            let size = victim.byteCount
            if chunk.records.count == 1 {
                levels[level].removeFirst()
            } else {
                levels[level][0].records = chunk.records.dropFirst()
                levels[level][0].bytes -= size
            }
            levelCounts[level] -= 1
            levelBytes[level] -= size
            count -= 1
            bytes -= size
            dropped += 1
            return victim
        }
        return nil
    }

    // MARK: removal

    /// Up to `max` records, highest priority first, FIFO within a level.
    mutating func take(max limit: Int, tally: inout Tallies) -> [PipelineRecord] {
        let pieces = takeSlices(max: limit, tally: &tally)
        // One whole chunk: Array(slice) reuses the caller's buffer without copying.
        if pieces.count == 1 { return Array(pieces[0]) }
        var batch: [PipelineRecord] = []
        batch.reserveCapacity(pieces.reduce(0) { $0 + $1.count })
        for piece in pieces { batch.append(contentsOf: piece) }
        return batch
    }

    /// Like `take`, as the stored slices themselves: no record is copied (the sink sends from them).
    mutating func takeSlices(max limit: Int, tally: inout Tallies) -> [ArraySlice<PipelineRecord>] {
        var need = min(limit, count)
        guard need > 0 else { return [] }
        let n = need
        var pieces: [ArraySlice<PipelineRecord>] = []
        for level in levels.indices where need > 0 {
            while need > 0, let chunk = levels[level].first {
                let taken: QueueChunk
                if chunk.records.count <= need {
                    taken = levels[level].removeFirst()
                } else {
                    let part = chunk.records.prefix(need)
                    var partBytes = 0
                    for i in part.indices { partBytes += part[i].byteCount }
                    levels[level][0].records = chunk.records.dropFirst(need)
                    levels[level][0].bytes -= partBytes
                    taken = QueueChunk(records: part, bytes: partBytes, streamID: chunk.streamID,
                                       sourceID: chunk.sourceID)
                }
                need -= taken.records.count
                levelCounts[level] -= taken.records.count
                levelBytes[level] -= taken.bytes
                bytes -= taken.bytes
                tally.dequeued.add(taken.sourceID, stream: taken.streamID, count: taken.records.count)
                pieces.append(taken.records)
            }
        }
        count -= n
        dequeued += n
        return pieces
    }

    /// Takes every queued record of one stream out, keeping the order of the others.
    mutating func remove(streamID: String) -> [PipelineRecord] {
        guard perStream[streamID] != nil else { return [] }
        var out: [PipelineRecord] = []
        for level in levels.indices where !levels[level].isEmpty {
            guard levels[level].contains(where: { $0.streamID == streamID }) else { continue }
            var kept = Deque<QueueChunk>()
            for chunk in levels[level] {
                if chunk.streamID == streamID {
                    out.append(contentsOf: chunk.records)
                    levelCounts[level] -= chunk.records.count
                    levelBytes[level] -= chunk.bytes
                    bytes -= chunk.bytes
                } else {
                    kept.append(chunk)
                }
            }
            levels[level] = kept
        }
        count -= out.count
        removed += out.count
        perStream[streamID] = nil
        return out
    }

    /// Folds a batch's per-stream changes into `perStream` (once per batch, not per record).
    mutating func applyStreamCounts(_ tally: Tallies) {
        for run in tally.enqueued.runs { perStream[run.stream, default: 0] += run.count }
        func subtract(_ tally: SourceTally) {
            for run in tally.runs {
                let left = (perStream[run.stream] ?? 0) - run.count
                perStream[run.stream] = left > 0 ? left : nil
            }
        }
        subtract(tally.dequeued)
        subtract(tally.dropped)
    }

    func levelCountsByName() -> [String: Int] {
        var out: [String: Int] = [:]
        for priority in SourcePriority.allCases { out[priority.rawValue] = levelCounts[priority.rank] }
        return out
    }
}

/// Counts gathered during one locked batch operation, per (stream, source) run. Applied to
/// `perStream` and to swift-metrics at the end of the batch.
struct Tallies {
    var enqueued = SourceTally()
    var dequeued = SourceTally()
    /// Queued records evicted by `dropOldest`.
    var dropped = SourceTally()
    /// Incoming records refused (never queued, so they do not touch `perStream`).
    var refused = SourceTally()
}
