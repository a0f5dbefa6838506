/// Which status records of sources nobody wants any more may go: a source removed while no
/// manager ran (its last record says STOPPED forever), a refused source tombstoned meanwhile.
/// An id must look stale for `grace` before it is tombstoned, so a source that was added a moment
/// ago (its owner may already report it while this replica has not read its config yet) is spared.
struct StaleStatusSweep {
    private var candidates: [String: ContinuousClock.Instant] = [:]
    let grace: Duration

    init(grace: Duration = .seconds(3)) {
        self.grace = grace
    }

    /// The ids stale now and for at least `grace`; each is returned once.
    mutating func due(stale ids: Set<String>, now: ContinuousClock.Instant = .now) -> [String] {
        candidates = candidates.filter { ids.contains($0.key) }
        for id in ids where candidates[id] == nil { candidates[id] = now }
        let due = candidates.filter { now - $0.value >= grace }.map(\.key).sorted()
        for id in due { candidates[id] = nil }
        return due
    }

    /// A record that no live stream could still be writing: not running-like, or written by this
    /// instance (which does not run it), or by an instance without a heartbeat (gone).
    static func isOrphan(_ status: SourceStatus, instanceID: String, hasHeartbeat: (String) -> Bool) -> Bool {
        switch status.state {
        case .stopped, .rejected, .pending, .failed: return true
        case .running, .degraded, .starting, .reconfiguring:
            return status.instanceID == instanceID || !hasHeartbeat(status.instanceID)
        }
    }
}
