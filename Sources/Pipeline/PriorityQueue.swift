import StreamConfig
import Synchronization

/// Why `PriorityQueue.enqueue` stopped before admitting every record. The records it did
/// not take are handed back so the caller keeps their cursors uncommitted.
public enum PriorityQueueError: Error, Sendable, Equatable {
    case closed(notEnqueued: [PipelineRecord])
    /// The enqueuing task was cancelled while blocked (`block` strategy).
    case cancelled(notEnqueued: [PipelineRecord])

    public var notEnqueued: [PipelineRecord] {
        switch self {
        case .closed(let r), .cancelled(let r): r
        }
    }
}

/// The manager-wide queue between the streams and the producer: four priority levels served
/// strictly in order (critical first; a busy higher level can starve a lower one, which is the
/// point), FIFO within a level, bounded by record count and bytes.
///
/// A final class around one `Mutex` rather than an actor: every operation takes the lock once
/// per batch, which keeps the hot path free of actor hops and per-record suspensions.
/// Waiting (a blocked enqueue, an empty dequeue, a drain) parks a continuation that the
/// mutating side resumes outside the lock.
public final class PriorityQueue: Sendable {
    private enum WaitKind: Sendable, Equatable {
        case dequeue
        /// Blocked enqueuer; `bytes` is the size of the record it waits to admit.
        case enqueue(bytes: Int)
        case drain(streamID: String)
    }

    private struct Waiter {
        let id: UInt64
        let kind: WaitKind
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var storage: PriorityQueueStorage
        var closed = false
        var waiters: [Waiter] = []

        func isReady(_ kind: WaitKind) -> Bool {
            if closed { return true }
            switch kind {
            case .dequeue: return storage.count > 0
            case .enqueue(let bytes): return storage.strategy != .block || storage.canAdmitBlocking(bytes: bytes)
            case .drain(let streamID): return storage.perStream[streamID] == nil
            }
        }

        /// Removes and returns the waiters whose condition now holds.
        mutating func readyWaiters() -> [CheckedContinuation<Void, Never>] {
            guard !waiters.isEmpty else { return [] }
            var ready: [CheckedContinuation<Void, Never>] = []
            var still: [Waiter] = []
            for waiter in waiters {
                if isReady(waiter.kind) { ready.append(waiter.continuation) } else { still.append(waiter) }
            }
            waiters = still
            return ready
        }
    }

    private let state: Mutex<State>
    private let waiterIDs = Atomic<UInt64>(0)
    private let instruments = PriorityQueueInstruments()

    /// - Parameters:
    ///   - maxSize: record bound (`queue_max_size`); nil or 0 = unbounded.
    ///   - maxBytes: byte bound (`queue_max_bytes`) over `PipelineRecord.byteCount`; nil or 0 = unbounded.
    public init(maxSize: Int? = 10_000, maxBytes: Int? = nil, overflow: QueueOverflowStrategy = .dropOldest) {
        state = Mutex(State(storage: PriorityQueueStorage(maxSize: maxSize, maxBytes: maxBytes, strategy: overflow)))
    }

    // MARK: enqueue

    /// Queues `records` in order and returns the records the overflow strategy dropped:
    /// refused incoming ones and, under `dropOldest`, evicted queued ones, which may belong to
    /// other streams (route them by `streamID`). Under `block` nothing is dropped: the call
    /// suspends until each remaining record fits.
    ///
    /// - Throws: `PriorityQueueError.closed` or `.cancelled` (blocked and cancelled) with the
    ///   records that were not queued; those before them were queued.
    public func enqueue(_ records: [PipelineRecord]) async throws(PriorityQueueError) -> [PipelineRecord] {
        var next = records.startIndex
        var lost: [PipelineRecord] = []
        while true {
            let closed = admit(records, from: &next, lost: &lost)
            if closed { throw .closed(notEnqueued: Array(records[next...])) }
            if next == records.endIndex { return lost }
            if Task.isCancelled { throw .cancelled(notEnqueued: Array(records[next...])) }
            await park(.enqueue(bytes: records[next].byteCount))
        }
    }

    /// Admits records from `next` while the strategy allows; returns true if the queue is closed.
    private func admit(_ records: [PipelineRecord], from next: inout Int, lost: inout [PipelineRecord]) -> Bool {
        var tally = Tallies()
        let (closed, wake, size, bytes, utilization) = state.withLock { s in
            guard !s.closed else { return (true, [CheckedContinuation<Void, Never>](), 0, 0, 0.0) }
            s.storage.admit(records, from: &next, lost: &lost, tally: &tally)
            s.storage.applyStreamCounts(tally)
            return (false, s.readyWaiters(), s.storage.count, s.storage.bytes, s.storage.utilizationPercent)
        }
        for c in wake { c.resume() }
        if !closed {
            instruments.flush(tally, size: size, bytes: bytes, utilization: utilization)
        }
        return closed
    }

    // MARK: dequeue

    /// Up to `max` records, highest priority first. Waits until at least one is queued;
    /// returns [] once the queue is closed and empty, or if the task is cancelled.
    /// Records still queued at `close()` are handed out before the [] .
    public func dequeue(max: Int) async -> [PipelineRecord] {
        guard max > 0 else { return [] }
        while true {
            if let batch = take(max: max) { return batch }
            if Task.isCancelled { return [] }
            await park(.dequeue)
        }
    }

    /// Up to `max` records without waiting; [] when empty.
    public func tryDequeue(max: Int) -> [PipelineRecord] {
        guard max > 0 else { return [] }
        return take(max: max) ?? []
    }

    /// Like `dequeue`, as slices of the arrays the records were enqueued in (no copy).
    func dequeueSlices(max: Int) async -> [ArraySlice<PipelineRecord>] {
        guard max > 0 else { return [] }
        while true {
            if let pieces = take(max: max, { $0.takeSlices(max: max, tally: &$1) }) { return pieces }
            if Task.isCancelled { return [] }
            await park(.dequeue)
        }
    }

    private func take(max: Int) -> [PipelineRecord]? {
        take(max: max) { $0.take(max: max, tally: &$1) }
    }

    /// nil: empty and open (the caller may wait); empty: empty and closed.
    private func take<Batch: RangeReplaceableCollection & Sendable>(
        max: Int, _ body: (inout PriorityQueueStorage, inout Tallies) -> Batch
    ) -> Batch? {
        var tally = Tallies()
        typealias Taken = (Batch?, [CheckedContinuation<Void, Never>], Int, Int, Double)
        let (batch, wake, size, bytes, utilization) = state.withLock { s -> Taken in
            if s.storage.count == 0 {
                return (s.closed ? Batch() : nil, [], 0, 0, 0)
            }
            let batch = body(&s.storage, &tally)
            s.storage.applyStreamCounts(tally)
            return (Optional(batch), s.readyWaiters(), s.storage.count, s.storage.bytes,
                    s.storage.utilizationPercent)
        }
        for c in wake { c.resume() }
        if let batch, !batch.isEmpty {
            instruments.flush(tally, size: size, bytes: bytes, utilization: utilization)
        }
        return batch
    }

    // MARK: streams

    /// Records of `streamID` queued now.
    public func count(streamID: String) -> Int {
        state.withLock { $0.storage.perStream[streamID] ?? 0 }
    }

    /// Resumes once no record of `streamID` is queued (they have been dequeued or removed).
    /// Returns false instead if the queue was closed or the task cancelled first.
    /// Records of a stream whose `enqueue` is still blocked are not counted until admitted,
    /// so stop the stream's polling before draining it.
    @discardableResult
    public func waitUntilDrained(streamID: String) async -> Bool {
        while true {
            let (drained, closed) = state.withLock { ($0.storage.perStream[streamID] == nil, $0.closed) }
            if drained { return true }
            if closed || Task.isCancelled { return false }
            await park(.drain(streamID: streamID))
        }
    }

    /// Discards every queued record of `streamID` and returns them (they count as `removed`,
    /// not `dropped`). Room they free wakes blocked enqueuers.
    @discardableResult
    public func remove(streamID: String) -> [PipelineRecord] {
        let (out, wake, size, bytes, utilization) = state.withLock { s in
            let out = s.storage.remove(streamID: streamID)
            return (out, s.readyWaiters(), s.storage.count, s.storage.bytes, s.storage.utilizationPercent)
        }
        for c in wake { c.resume() }
        if !out.isEmpty {
            instruments.flush(Tallies(), size: size, bytes: bytes, utilization: utilization)
        }
        return out
    }

    // MARK: lifecycle and configuration

    /// Changes the bounds or the strategy in place (hot reconfiguration). Shrinking evicts
    /// nothing; it only affects later enqueues. Blocked enqueuers that now fit (or that a
    /// switch away from `block` releases) resume.
    public func reconfigure(maxSize: Int?, maxBytes: Int?, overflow: QueueOverflowStrategy) {
        let wake = state.withLock { s in
            s.storage.maxSize = PriorityQueueStorage.bound(maxSize)
            s.storage.maxBytes = PriorityQueueStorage.bound(maxBytes)
            s.storage.strategy = overflow
            return s.readyWaiters()
        }
        for c in wake { c.resume() }
    }

    /// Refuses further enqueues and wakes every waiter: blocked enqueuers throw `.closed`,
    /// dequeuers get the remaining records and then [], drain waiters return false.
    public func close() {
        let wake = state.withLock { s in
            s.closed = true
            return s.readyWaiters()
        }
        for c in wake { c.resume() }
    }

    /// Parked tasks (tests check that cancellation leaves none behind).
    var waiterCount: Int { state.withLock { $0.waiters.count } }

    public var isClosed: Bool { state.withLock { $0.closed } }
    public var overflowStrategy: QueueOverflowStrategy { state.withLock { $0.storage.strategy } }
    public var count: Int { state.withLock { $0.storage.count } }
    public var byteCount: Int { state.withLock { $0.storage.bytes } }

    /// Drops a removed source's queue series.
    public func forgetMetrics(sourceID: String) { instruments.forget(source: sourceID) }

    public var metrics: PriorityQueueMetrics {
        state.withLock { s in
            let st = s.storage
            return PriorityQueueMetrics(size: st.count, bytes: st.bytes, maxSize: st.maxSize, maxBytes: st.maxBytes,
                                        enqueued: st.enqueued, dequeued: st.dequeued, dropped: st.dropped,
                                        removed: st.removed, utilizationPercent: st.utilizationPercent,
                                        byPriority: st.levelCountsByName(), overflowStrategy: st.strategy.rawValue)
        }
    }

    // MARK: waiting

    /// Suspends until `kind`'s condition holds (checked under the lock before parking, so a
    /// wake-up cannot slip between the check and the park), the queue closes, or the task is
    /// cancelled. Callers re-check their condition in a loop afterwards.
    private func park(_ kind: WaitKind) async {
        let id = waiterIDs.add(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    // The cancellation flag is set before onCancel runs; checking it under the
                    // lock means either we see it here or onCancel finds the registered waiter.
                    if Task.isCancelled || s.isReady(kind) { return true }
                    s.waiters.append(Waiter(id: id, kind: kind, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { s -> CheckedContinuation<Void, Never>? in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index).continuation
            }
            continuation?.resume()
        }
    }
}
