import Foundation
import Kafka
import Pipeline
import Reconciler
import StreamConfig
import Synchronization

/// The whole fleet as the status topic shows it, kept for the dashboard (docs/architecture.md,
/// "The fleet dashboard"): every source's latest record with a records/s figure derived from its
/// last two records, the transitions seen since this replica started, and every manager's
/// heartbeat. Each change gets a sequence number, so an event stream sends a client only what
/// changed since its last event.
public final class FleetBoard: Sendable {
    /// One state change of a source as its records showed it.
    public struct Transition: Sendable, Equatable {
        public var at: String
        public var state: String
        public var reason: String?
        public var instanceID: String
        public var configHash: String?
        public var error: String?
    }

    struct SourceEntry {
        var status: SourceStatus
        var recordsPerSecond: Double?
        var transitions: [Transition]
        var seq: UInt64
        /// The record as the page gets it, encoded once per record.
        var json: String
    }

    struct ManagerEntry {
        var heartbeat: StatusBoard.Manager
        var seq: UInt64
    }

    struct State {
        var seq: UInt64 = 0
        var sources: [String: SourceEntry] = [:]
        var managers: [String: ManagerEntry] = [:]
        /// Removed keys with the sequence number of their removal, so a client that saw them learns
        /// they are gone; bounded (`removalLimit`): a client older than the oldest kept removal
        /// gets a whole snapshot instead.
        var removedSources: [String: UInt64] = [:]
        var removedManagers: [String: UInt64] = [:]
        var removalsForgottenBefore: UInt64 = 0
    }

    /// What changed since a client's last event.
    public enum Changes: Sendable {
        case none
        /// The `update` event's JSON.
        case update(String, seq: UInt64)
        /// The client is too far behind: send a snapshot.
        case resync
    }

    /// Transitions kept per source (the oldest go first).
    static let transitionLimit = 100
    /// Removals remembered for clients that are behind (the default).
    public static let defaultRemovalLimit = 20_000
    /// A heartbeat is stale after this many status intervals without a new one (at least 30 s).
    static let staleIntervals = 3.0

    private let state = Mutex(State())
    public let instanceID: String
    public let statusTopic: String
    let removalLimit: Int

    public init(instanceID: String, statusTopic: String, removalLimit: Int = FleetBoard.defaultRemovalLimit) {
        self.instanceID = instanceID
        self.statusTopic = statusTopic
        self.removalLimit = removalLimit
    }

    /// The latest sequence number.
    public var seq: UInt64 { state.withLock { $0.seq } }

    /// Folds one status-topic record in (called for every record the status follower reads).
    /// Records that are neither a readable source status nor a heartbeat are ignored.
    public func observe(_ record: ConsumerRecord) {
        guard let key = record.key.map({ String(decoding: $0, as: UTF8.self) }) else { return }
        if key.hasPrefix("source:") {
            observeSource(String(key.dropFirst("source:".count)), record.value)
        } else if key.hasPrefix("manager:") {
            observeManager(String(key.dropFirst("manager:".count)), record.value)
        }
    }

    private func observeSource(_ id: String, _ value: [UInt8]?) {
        guard let value else { return remove(id, from: \.sources, noting: \.removedSources) }
        // A record that is not a status (a hostile or broken writer) is skipped, not shown.
        guard let status = try? JSONDecoder().decode(SourceStatus.self, from: Data(value)), status.sourceID == id else { return }
        state.withLock { s in
            s.seq += 1
            var entry = s.sources[id]
            let rate = Self.rate(from: entry?.status, to: status, previous: entry?.recordsPerSecond)
            let transition = Transition(status)
            var transitions = entry?.transitions ?? []
            if transitions.last.map({ !$0.sameState(as: transition) }) ?? true {
                transitions.append(transition)
                if transitions.count > Self.transitionLimit { transitions.removeFirst(transitions.count - Self.transitionLimit) }
            }
            entry = SourceEntry(status: status, recordsPerSecond: rate, transitions: transitions, seq: s.seq,
                                json: Self.sourceJSON(status, rate: rate))
            s.sources[id] = entry
            s.removedSources[id] = nil
        }
    }

    private func observeManager(_ id: String, _ value: [UInt8]?) {
        guard let value else { return remove(id, from: \.managers, noting: \.removedManagers) }
        guard let heartbeat = try? JSONDecoder().decode(StatusBoard.Manager.self, from: Data(value)), heartbeat.instanceID == id else { return }
        state.withLock { s in
            s.seq += 1
            s.managers[id] = ManagerEntry(heartbeat: heartbeat, seq: s.seq)
            s.removedManagers[id] = nil
        }
    }

    /// A tombstone: the key goes, and its removal is numbered for the clients that saw it.
    private func remove<Entry>(_ id: String, from entries: WritableKeyPath<State, [String: Entry]>,
                               noting removals: WritableKeyPath<State, [String: UInt64]>) {
        state.withLock { s in
            guard s[keyPath: entries].removeValue(forKey: id) != nil else { return }
            s.seq += 1
            s[keyPath: removals][id] = s.seq
            Self.boundRemovals(&s, limit: removalLimit)
        }
    }

    private static func boundRemovals(_ s: inout State, limit: Int) {
        guard s.removedSources.count + s.removedManagers.count > limit else { return }
        // Forget the older half: clients behind that point resynchronise from a snapshot.
        let all = (Array(s.removedSources.values) + Array(s.removedManagers.values)).sorted()
        let cut = all[all.count / 2]
        s.removedSources = s.removedSources.filter { $0.value > cut }
        s.removedManagers = s.removedManagers.filter { $0.value > cut }
        s.removalsForgottenBefore = cut
    }

    /// Records per second between two records of a source: the processed count's growth over the
    /// time between their `updated_at`. Nil before a second record, or when the count went back (a
    /// new owner counts from its own start); two records in the same millisecond keep the last figure.
    static func rate(from old: SourceStatus?, to new: SourceStatus, previous: Double?) -> Double? {
        guard let old, let t0 = RFC3339.date(old.updatedAt), let t1 = RFC3339.date(new.updatedAt),
              new.recordsProcessed >= old.recordsProcessed, new.instanceID == old.instanceID else { return nil }
        let seconds = t1.timeIntervalSince(t0)
        guard seconds > 0 else { return seconds == 0 ? previous : nil }
        return Double(new.recordsProcessed - old.recordsProcessed) / seconds
    }

    static func sourceJSON(_ status: SourceStatus, rate: Double?) -> String {
        var record = String(decoding: status.json(), as: UTF8.self)
        record.removeLast()  // the closing brace: the derived field goes inside the object
        let figure = rate.map { CanonicalJSON.number(($0 * 100).rounded() / 100) } ?? "null"
        return record + ",\"records_per_second\":\(figure)}"
    }

    // MARK: what the endpoints read

    /// `GET /api/fleet` and the `snapshot` event: `{instance_id, status_topic, now, seq, sources, managers}`.
    public func snapshotJSON(now: Date = Date()) -> (json: String, seq: UInt64) {
        let (seq, sources, managers) = state.withLock { s in
            (s.seq, s.sources.sorted { $0.key < $1.key }.map(\.value.json),
             s.managers.sorted { $0.key < $1.key }.map(\.value.heartbeat))
        }
        var out = "{\"instance_id\":\(CanonicalJSON.quoted(instanceID)),\"status_topic\":\(CanonicalJSON.quoted(statusTopic))"
        out += ",\"now\":\(CanonicalJSON.quoted(RFC3339.string(now))),\"seq\":\(seq)"
        out += ",\"sources\":[" + sources.joined(separator: ",") + "]"
        out += ",\"managers\":[" + managers.map { $0.dashboardJSON(now: now) }.joined(separator: ",") + "]}"
        return (out, seq)
    }

    /// What changed after `seq`, as an `update` event's JSON.
    public func changes(since seq: UInt64, now: Date = Date()) -> Changes {
        let gathered = state.withLock { s -> (UInt64, [String], [StatusBoard.Manager], [String], [String])? in
            guard s.seq > seq else { return nil }
            guard seq >= s.removalsForgottenBefore else { return (0, [], [], [], []) }
            return (s.seq,
                    s.sources.values.filter { $0.seq > seq }.sorted { $0.status.sourceID < $1.status.sourceID }.map(\.json),
                    s.managers.values.filter { $0.seq > seq }.map(\.heartbeat).sorted { $0.instanceID < $1.instanceID },
                    s.removedSources.filter { $0.value > seq }.keys.sorted(),
                    s.removedManagers.filter { $0.value > seq }.keys.sorted())
        }
        guard let (latest, sources, managers, removedSources, removedManagers) = gathered else { return .none }
        guard latest > 0 else { return .resync }
        var out = "{\"seq\":\(latest),\"now\":\(CanonicalJSON.quoted(RFC3339.string(now)))"
        out += ",\"sources\":[" + sources.joined(separator: ",") + "]"
        out += ",\"managers\":[" + managers.map { $0.dashboardJSON(now: now) }.joined(separator: ",") + "]"
        out += ",\"removed_sources\":[" + removedSources.map(CanonicalJSON.quoted).joined(separator: ",") + "]"
        out += ",\"removed_managers\":[" + removedManagers.map(CanonicalJSON.quoted).joined(separator: ",") + "]}"
        return .update(out, seq: latest)
    }

    /// One source's record (with records/s), the transitions seen, and the config version the
    /// record names; nil when it has no record.
    public func source(_ id: String) -> (json: String, transitions: [Transition], configVersion: String?)? {
        state.withLock { s in s.sources[id].map { ($0.json, $0.transitions, $0.status.configVersion) } }
    }

    /// The number of sources with a record.
    public var sourceCount: Int { state.withLock { $0.sources.count } }
}

extension FleetBoard.Transition {
    init(_ status: SourceStatus) {
        at = status.updatedAt
        state = status.state.rawValue
        reason = status.reason
        instanceID = status.instanceID
        configHash = status.configHash
        error = status.rejected?.error ?? status.lastError
    }

    /// The same state, owner, config and error: a record that only carries new counts.
    func sameState(as other: Self) -> Bool {
        state == other.state && reason == other.reason && instanceID == other.instanceID
            && configHash == other.configHash && error == other.error
    }

    func json() -> String {
        func quoted(_ s: String?) -> String { s.map(CanonicalJSON.quoted) ?? "null" }
        return "{\"at\":\(quoted(at)),\"config_hash\":\(quoted(configHash)),\"error\":\(quoted(error))"
            + ",\"instance_id\":\(quoted(instanceID)),\"reason\":\(quoted(reason)),\"state\":\(quoted(state))}"
    }
}
