import DequeModule

/// The reconciler's work queue: source ids that need a look, each at most
/// once in the queue however often it changed (the worker reads the newest desired state when it
/// takes the id, so superseded versions are never acted on), and never handed to two workers at
/// once (an id that changes while a worker has it waits and goes round once more).
///
/// Barriers let a caller wait until a set of ids has each been reconciled by a run that began
/// after the barrier was set: readiness after the initial sync, and a rebalance waiting for its
/// revoked sources to be released.
struct ReconcileQueue {
    private var order = Deque<String>()
    private var queued = Set<String>()
    /// Ids being reconciled now, with the sequence number their run started at.
    private(set) var active: [String: UInt64] = [:]
    private var sequence: UInt64 = 0
    private var barriers: [Int: Barrier] = [:]
    private var nextBarrier = 0

    private struct Barrier {
        /// Runs that started at or after this sequence number count.
        let from: UInt64
        var pending: Set<String>
    }

    var isIdle: Bool { order.isEmpty && active.isEmpty }
    var queuedCount: Int { order.count }

    /// Marks ids as needing a look; an id already queued keeps its place.
    mutating func add<S: Sequence>(_ ids: S) where S.Element == String {
        for id in ids where queued.insert(id).inserted { order.append(id) }
    }

    /// The next queued id that no worker has, if fewer than `limit` workers are busy.
    mutating func take(limit: Int) -> String? {
        guard active.count < limit else { return nil }
        guard let index = order.firstIndex(where: { active[$0] == nil }) else { return nil }
        let id = order.remove(at: index)
        queued.remove(id)
        active[id] = sequence
        sequence += 1
        return id
    }

    /// A worker is done with `id`; returns the barriers this completed.
    mutating func finish(_ id: String) -> [Int] {
        guard let started = active.removeValue(forKey: id) else { return [] }
        // Keys first, then mutation in place: changing a barrier while iterating the dictionary
        // would copy it, and its pending set, on every finish (quadratic over a large sync).
        let keys = barriers.keys.filter { barriers[$0]!.from <= started && barriers[$0]!.pending.contains(id) }
        var done: [Int] = []
        for key in keys {
            barriers[key]!.pending.remove(id)
            if barriers[key]!.pending.isEmpty {
                barriers[key] = nil
                done.append(key)
            }
        }
        return done
    }

    /// Queues `ids` and sets a barrier over them; nil when there is nothing to wait for.
    mutating func barrier<S: Sequence>(over ids: S) -> Int? where S.Element == String {
        let pending = Set(ids)
        add(pending.sorted())
        guard !pending.isEmpty else { return nil }
        let key = nextBarrier
        nextBarrier += 1
        barriers[key] = Barrier(from: sequence, pending: pending)
        return key
    }
}
