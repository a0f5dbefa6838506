import Foundation
import Logging
import Metrics
import Pipeline
import StreamConfig
import StreamManagerKit
import Synchronization

/// Publishes the status topic for what this instance owns: a `source:<id>` record on every state
/// change (from the reconcile loop's outcomes, and from the streams' health between them) and
/// all of them again every `interval`, plus the `manager:<instance_id>` heartbeat. On removal a
/// final STOPPED then a tombstone; at shutdown STOPPED for every source and a heartbeat tombstone.
public final class StatusPublisher: Sendable {
    public struct Identity: Sendable {
        public var instanceID: String
        /// `kafka`, `file` or `configmap`.
        public var configSource: String
        public var generation: Int
        public var version: String

        public init(instanceID: String, configSource: String, generation: Int = 0,
                    version: String = StreamManagerVersion.current) {
            self.instanceID = instanceID
            self.configSource = configSource
            self.generation = generation
            self.version = version
        }
    }

    /// What the publisher reads from the reconcile loop on each tick.
    public struct DesiredView: Sendable {
        public var desired: DesiredState
        public var documentError: Rejection?
        /// The initial sync is applied: what is not desired now is really gone.
        public var ready: Bool
        /// Set while the brokers do not answer: every running stream is DEGRADED with it.
        public var kafkaProblem: String?
        public init(desired: DesiredState, documentError: Rejection?, ready: Bool = false, kafkaProblem: String? = nil) {
            self.desired = desired
            self.documentError = documentError
            self.ready = ready
            self.kafkaProblem = kafkaProblem
        }
    }

    private struct State {
        var statuses: [String: SourceStatus] = [:]
        /// nil until the first tick, which writes everything (the heartbeat appears at start).
        var lastFullWrite: ContinuousClock.Instant?
        var finished = false
        /// Graceful shutdown has begun: sources handed over get a final STOPPED.
        var leaving = false
        var sweep = StaleStatusSweep()
    }

    private let identity: Identity
    private let writer: any StatusWriter
    private let runtime: StreamRuntime
    private let interval: Duration
    private let logger: Logger
    private let startedAt = RFC3339.string(Date())
    private let state = Mutex(State())
    private let activeStreams = Gauge(label: "stream_manager_active_streams")

    /// Set when replicas share the sources: records are written only for owned sources, with
    /// this member's generation, and the heartbeat lists its partitions.
    private let ownership: Ownership?

    /// Set in a fleet: refuses writes that would overwrite a newer owner's record.
    private let staleGuard: StaleStatusGuard?

    /// The status topic as it is: records of sources no longer desired are tombstoned.
    private let statusView: StatusTopicView?

    public init(identity: Identity, writer: any StatusWriter, runtime: StreamRuntime,
                interval: Duration, ownership: Ownership? = nil, staleGuard: StaleStatusGuard? = nil,
                statusView: StatusTopicView? = nil, logger: Logger) {
        self.ownership = ownership
        self.staleGuard = staleGuard
        self.statusView = statusView
        self.identity = identity
        self.writer = writer
        self.runtime = runtime
        self.interval = interval
        self.logger = logger
    }

    /// The statuses as last written (tests, `GET /status`).
    public var statuses: [String: SourceStatus] { state.withLock { $0.statuses } }

    // MARK: outcomes

    /// The reconcile loop's callback: each outcome is a state change, written at once.
    public func handle(_ outcome: ReconcileOutcome) {
        switch outcome {
        case .beginning(let id, let d, let restart):
            update(id) { s in
                if restart {
                    s.state = .reconfiguring  // the old config runs until the new stream takes over
                } else {
                    s.state = .starting
                    s.describe(d)
                }
            }
        case .started(let id, let streamID, let d), .restarted(let id, let streamID, _, let d):
            update(id) { s in
                s.state = .running
                s.streamID = streamID
                s.describe(d)
                s.rejected = nil
                s.lastError = nil
            }
        case .reconfigured(let id, _, let d):
            update(id) { s in
                s.state = .running
                s.describe(d)
                s.rejected = nil
            }
        case .stopped(let id, let removed, let d):
            update(id) { s in
                s.state = .stopped
                s.set(removed ? .removed : .disabled)
                if let d { s.describe(d) }
            }
            if removed { remove(id) }
        case .rejected(let id, let r, let running):
            update(id) { s in
                s.refuse(r)
                if !running {
                    s.state = .rejected
                    s.configHash = nil
                    s.configVersion = nil
                    s.streamID = nil
                }
            }
        case .released(let id):
            // In a rebalance the new owner writes from now on. When this replica is leaving, its
            // last word on the source is STOPPED (the next owner follows with STARTING, RUNNING).
            let last = state.withLock { s -> SourceStatus? in
                guard var status = s.statuses.removeValue(forKey: id), s.leaving, !s.finished else { return nil }
                status.state = .stopped
                status.set(.released)
                status.updatedAt = RFC3339.string(Date())
                return status
            }
            if let last { writer.write(key: SourceStatus.key(id), value: last.json()) }
        case .restartedOnRequest(let id, let streamID, let reason, let restarts, let d):
            update(id) { s in
                s.state = .running
                s.streamID = streamID
                s.describe(d)
                s.restarts = restarts
                s.lastError = reason.description
            }
        case .failed(let id, let error, _, let d, let running):
            update(id) { s in
                s.lastError = error
                if !running {
                    s.state = .failed
                    if let d { s.describe(d) }
                }
            }
        }
    }

    /// Final STOPPED, then a tombstone.
    private func remove(_ id: String) {
        let known = state.withLock { $0.statuses.removeValue(forKey: id) != nil }
        if known { writer.write(key: SourceStatus.key(id), value: nil) }
    }

    /// Applies a change to a source's status and writes it if anything but the time changed.
    private func update(_ id: String, _ change: (inout SourceStatus) -> Void) {
        // A replica that no longer owns a source must not overwrite its new owner's record.
        if let ownership, !ownership.owns(id) { return }
        let generation = ownership?.generation ?? identity.generation
        let record = state.withLock { s -> SourceStatus? in
            guard !s.finished else { return nil }
            var status = s.statuses[id] ?? SourceStatus(sourceID: id, state: .pending, instanceID: identity.instanceID,
                                                         generation: identity.generation)
            let before = status
            change(&status)
            status.alignReason()
            // Counts alone are not a change worth a record: the periodic refresh carries them.
            guard !status.reportsSame(as: before) || s.statuses[id] == nil else {
                s.statuses[id] = status
                return nil
            }
            status.generation = generation
            status.updatedAt = RFC3339.string(Date())
            s.statuses[id] = status
            return status
        }
        guard let record else { return }
        // Consulted only for a record about to be written (it parses the record in the topic):
        // the per-second count updates above write nothing.
        if let staleGuard, !staleGuard.mayWrite(sourceID: id, generation: generation) {
            logger.warning("not writing the status of \(id): a newer owner has written it")
            return
        }
        writer.write(key: SourceStatus.key(id), value: record.json())
    }

    // MARK: ticks

    /// Folds the streams' health and counts into the statuses, writes what changed state, and
    /// every `interval` writes everything plus the heartbeat. Call about once a second.
    /// `reports` are the runtime's stream reports when the caller has them already.
    public func tick(_ view: DesiredView, reports: [String: StreamReport]? = nil) {
        let reports = reports ?? runtime.streamReports
        activeStreams.record(reports.count)
        runtime.budgets.recordMetrics(running: Set(reports.keys))
        for (id, report) in reports {
            let budget = runtime.budgets.view(of: id).map(SourceBudgetStatus.init)
            update(id) { s in
                s.budget = budget
                s.recordsProcessed = report.recordsProcessed
                s.recordsFailed = report.recordsFailed
                s.recordsDropped = report.recordsDropped
                s.consecutiveFailures = report.consecutiveFailures
                // A restarted stream has not progressed yet: the source's last progress stands.
                if let progress = report.lastProgressAt { s.lastProgressAt = RFC3339.string(progress) }
                let (reason, message) = Self.diagnosis(report, kafkaProblem: view.kafkaProblem)
                if let message { s.lastError = message } else if report.lastError != nil { s.lastError = report.lastError }
                if s.state == .running && reason != nil { s.state = .degraded }
                if s.state == .degraded && reason == nil { s.state = .running }
                if s.state == .degraded, let reason { s.set(reason) }
            }
        }
        reconcileStatuses(with: view, running: Set(reports.keys))
        if view.ready, view.kafkaProblem == nil { sweepStale(view) }
        let due = state.withLock { s -> Bool in
            guard !s.finished else { return false }
            if let last = s.lastFullWrite, ContinuousClock.now - last < interval { return false }
            s.lastFullWrite = .now
            return true
        }
        if due { writeAll(view) }
    }

    /// Why a running stream is DEGRADED, and what `last_error` says. A queue that has held up
    /// polling names the producer's error itself; otherwise brokers that do not answer explain
    /// everything else (nothing is delivered, whatever the source does), and a stall they cause
    /// is still named.
    static func diagnosis(_ report: StreamReport, kafkaProblem: String?) -> (StatusReason?, String?) {
        if let problem = report.problem, problem.kind == .backpressure { return (.backpressure, problem.message) }
        if let kafkaProblem {
            if let problem = report.problem, problem.kind == .stalled { return (.kafkaUnreachable, "\(kafkaProblem); \(problem.message)") }
            return (.kafkaUnreachable, kafkaProblem)
        }
        guard let problem = report.problem else { return (nil, nil) }
        return (StatusReason(problem.kind), problem.message)
    }

    /// Statuses that no reconcile action produces: a disabled source that never ran is STOPPED;
    /// a refusal that a later good (unchanged) config made moot is cleared.
    private func reconcileStatuses(with view: DesiredView, running: Set<String>) {
        for (id, d) in view.desired.sources where !d.config.enabled && !running.contains(id) {
            update(id) { s in
                s.state = .stopped
                s.set(.disabled)
                s.describe(d)
            }
        }
        let refused = state.withLock { s in s.statuses.filter { $0.value.rejected != nil }.map(\.key) }
        for id in refused where view.desired.rejections[id] == nil && view.desired.sources[id] != nil {
            update(id) { $0.rejected = nil }
        }
    }

    /// Tombstones the records of sources that are neither desired nor running (and that this
    /// replica would own), once they have looked so for the sweep's grace period. A fleet follows
    /// the status topic (the guard needs it) and sweeps on every tick.
    private func sweepStale(_ view: DesiredView) {
        guard let statusView else { return }
        sweep(view, in: statusView, grace: true)
    }

    /// One sweep of the status topic as `statusView` holds it, for a replica that does not follow
    /// it: once the initial sync is applied and has settled, records of sources that are gone go.
    public func sweepOnce(_ view: DesiredView, in statusView: StatusTopicView) {
        sweep(view, in: statusView, grace: false)
    }

    private func sweep(_ view: DesiredView, in statusView: StatusTopicView, grace: Bool) {
        let known = state.withLock { Set($0.statuses.keys) }
        var stale = Set<String>()
        for id in statusView.sourceIDs where view.desired.sources[id] == nil && view.desired.rejections[id] == nil
            && !known.contains(id) && (ownership?.owns(id) ?? true) && runtime.runningSource(id) == nil {
            guard let status = statusView.status(of: id),
                  StaleStatusSweep.isOrphan(status, instanceID: identity.instanceID, hasHeartbeat: statusView.hasHeartbeat)
            else { continue }
            stale.insert(id)
        }
        let due = state.withLock { s in s.finished ? [] : grace ? s.sweep.due(stale: stale) : stale.sorted() }
        for id in due {
            logger.info("removing the status of \(id): no longer desired")
            writer.write(key: SourceStatus.key(id), value: nil)
        }
    }

    /// Every owned status again (fresh `updated_at`), then the heartbeat.
    public func writeAll(_ view: DesiredView) {
        let all = state.withLock { s -> [SourceStatus] in
            let now = RFC3339.string(Date())
            for id in s.statuses.keys { s.statuses[id]!.updatedAt = now }
            return s.statuses.values.sorted { $0.sourceID < $1.sourceID }
        }.filter { status in
            (ownership?.owns(status.sourceID) ?? true)
                && (staleGuard?.mayWrite(sourceID: status.sourceID, generation: status.generation) ?? true)
        }
        for status in all { writer.write(key: SourceStatus.key(status.sourceID), value: status.json()) }
        writer.write(key: ManagerHeartbeat.key(identity.instanceID), value: heartbeat(view).json())
    }

    public func heartbeat(_ view: DesiredView) -> ManagerHeartbeat {
        let metrics = runtime.metrics()
        let sources = runtime.runningSources.keys.sorted()
        // A refused budget record names no source of its own: the heartbeat is where it shows.
        let warnings = (view.desired.sources.values.flatMap { d in d.warnings.map { "\(d.sourceID): \($0)" } }
            + view.desired.budgetRejections.map { "budget \($0.key): record \($0.value.configVersion) refused: \($0.value.error)" })
            .sorted()
        return ManagerHeartbeat(
            instanceID: identity.instanceID, version: identity.version, startedAt: startedAt,
            updatedAt: RFC3339.string(Date()), configSource: identity.configSource,
            deliveryMode: ownership == nil ? "all" : "shared", statusIntervalSeconds: interval / .seconds(1),
            assignedPartitions: ownership?.assignedPartitions ?? [],
            sources: sources, activeStreams: metrics.streamManager.activeStreams,
            configError: view.documentError.map { .init(configVersion: $0.configVersion, error: $0.error) },
            warnings: warnings, metrics: metrics)
    }

    /// Graceful shutdown begins (before this replica leaves the group).
    public func beginShutdown() { state.withLock { $0.leaving = true } }

    /// Graceful shutdown, after the streams have drained: every source this instance reported is
    /// STOPPED with its final counts, the heartbeat is tombstoned, and the writes are flushed.
    public func finish(timeout: Duration = .seconds(10)) async {
        let last = state.withLock { s -> [SourceStatus] in
            guard !s.finished else { return [] }
            s.finished = true
            let now = RFC3339.string(Date())
            for id in s.statuses.keys where s.statuses[id]!.state != .rejected {
                if s.statuses[id]!.state != .stopped { s.statuses[id]!.set(.shutdown) }  // a disabled one stays so
                s.statuses[id]!.state = .stopped
                s.statuses[id]!.updatedAt = now
            }
            return s.statuses.values.sorted { $0.sourceID < $1.sourceID }
        }
        for status in last { writer.write(key: SourceStatus.key(status.sourceID), value: status.json()) }
        writer.write(key: ManagerHeartbeat.key(identity.instanceID), value: nil)
        await writer.flush(timeout: timeout)
    }
}
