import Foundation
import Logging
import Metrics
import StreamConfig
import StreamManagerKit
import Synchronization

/// What the loop did for a source, for the status publisher and logs.
public enum ReconcileOutcome: Sendable, Equatable {
    /// A start (`restart` false) or a make-before-break restart is under way.
    case beginning(sourceID: String, source: DesiredSource, restart: Bool)
    case started(sourceID: String, streamID: String, source: DesiredSource)
    case reconfigured(sourceID: String, fields: [String], source: DesiredSource)
    case restarted(sourceID: String, streamID: String, fields: [String], source: DesiredSource)
    /// `source` is the desired (disabled) config, nil when the source was removed.
    case stopped(sourceID: String, removed: Bool, source: DesiredSource?)
    case rejected(sourceID: String, Rejection, running: Bool)
    /// The source's partition moved to another replica: its stream was stopped (drained, cursor
    /// committed) and the new owner reports it from now on.
    case released(sourceID: String)
    /// Starting or reconfiguring failed; retried after `retryIn`. `running` tells whether the
    /// source's earlier stream still runs (a failed reconfiguration leaves it in place).
    case failed(sourceID: String, error: String, retryIn: Duration, source: DesiredSource?, running: Bool)
}

/// The reconciler: folds desired-state events, and once the initial snapshot is complete plans
/// against what runs and applies the plan through `StreamManagerV2`. Level-triggered: each pass
/// looks at the whole desired and running state, so a missed event cannot leave drift behind.
/// Actions run one at a time, so a source never reconciles twice at once; a failed start is
/// retried with capped exponential backoff.
public final class ReconcileLoop: Sendable {
    private let manager: StreamManagerV2
    private let source: any DesiredStateSource
    private let logger: Logger
    private let onOutcome: @Sendable (ReconcileOutcome) -> Void
    private let retryBase: Duration
    private let retryCap: Duration
    /// Set when replicas share the sources: only owned ones are planned.
    private let ownership: Ownership?
    private let state = Mutex(LoopState())

    struct LoopState {
        var store = DesiredStateStore()
        var published: [String: Rejection] = [:]
        var failures: [String: (attempts: Int, retryAt: ContinuousClock.Instant)] = [:]
        var ready = false
        var passes = 0
        var syncedAt: ContinuousClock.Instant?
    }

    public init(manager: StreamManagerV2, source: any DesiredStateSource, logger: Logger,
                retryBase: Duration = .seconds(1), retryCap: Duration = .seconds(60), ownership: Ownership? = nil,
                onOutcome: @escaping @Sendable (ReconcileOutcome) -> Void = { _ in }) {
        self.ownership = ownership
        self.manager = manager
        self.source = source
        self.logger = logger
        self.retryBase = retryBase
        self.retryCap = retryCap
        self.onOutcome = onOutcome
    }

    /// True once the first plan after the initial snapshot is applied (`/readyz`).
    public var isReady: Bool { state.withLock { $0.ready } }
    public var desired: DesiredState { state.withLock { $0.store.state } }
    public var documentError: Rejection? { state.withLock { $0.store.documentError } }
    /// When the initial snapshot was complete (InitDone), for benchmarks and logs.
    public var syncedAt: ContinuousClock.Instant? { state.withLock { $0.syncedAt } }
    /// Completed reconcile passes (for tests and metrics).
    public var passes: Int { state.withLock { $0.passes } }

    /// Runs until the task is cancelled.
    public func run() async {
        let events = source.events()
        await withTaskGroup(of: Void.self) { group in
            // Failed starts come back on a timer, not only on the next event.
            group.addTask { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    let due = state.withLock { s in s.store.isSynced && s.failures.values.contains { $0.retryAt <= .now } }
                    if due { await reconcile() }
                }
            }
            group.addTask { [self] in
                for await event in events {
                    let synced = state.withLock { s -> Bool in
                        s.store.apply(event)
                        if s.store.isSynced && s.syncedAt == nil { s.syncedAt = .now }
                        return s.store.isSynced
                    }
                    // Plan only once the initial snapshot is complete. During a re-list the store
                    // keeps the previous state until the new snapshot's initDone, so passes stay correct.
                    if synced, event != .initStarted { await reconcile() }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// A pass now (after an ownership change, say); nothing before the initial snapshot is complete.
    /// Returns once a pass that started after this call has finished.
    public func reconcileNow() async {
        guard state.withLock({ $0.store.isSynced }) else { return }
        await reconcile()
    }

    /// Whether a pass is running, and whether another was asked for while it ran.
    private let passState = Mutex((running: false, again: false))

    /// Level-triggered passes: plan against what runs, apply, report. Passes never overlap (one
    /// source never reconciles twice at once); a request that arrives during a pass is not
    /// dropped but makes the running pass go round once more, so no change waits for the next event.
    func reconcile() async {
        let first = passState.withLock { p -> Bool in
            if p.running { p.again = true; return false }
            p.running = true
            return true
        }
        guard first else { return }
        repeat { await pass() } while passState.withLock { p -> Bool in
            if p.again { p.again = false; return true }
            p.running = false
            return false
        }
    }

    private let passDuration = Metrics.Timer(label: "stream_manager_reconcile_duration_seconds")

    private func pass() async {
        let began = ContinuousClock.now
        defer { passDuration.recordNanoseconds(Int64((ContinuousClock.now - began) / .nanoseconds(1))) }
        var (desired, published, failures) = state.withLock { ($0.store.state, $0.published, $0.failures) }
        var running = manager.runningConfigsAndHashes.reduce(into: [String: RunningSource]()) { out, entry in
            out[entry.key] = RunningSource(sourceID: entry.key, config: entry.value.config, configHash: entry.value.configHash)
        }
        if let ownership {
            // Hand over what this replica no longer owns (the new owner reports it from now on), all
            // at once: each stop waits for its stream's last deliveries and cursor, and the
            // rebalance waits for all of them. Then plan only the owned part of the desired state.
            let lost = running.keys.filter { !ownership.owns($0) }
            let released = await withTaskGroup(of: String?.self) { group in
                for id in lost {
                    group.addTask { [manager, logger] in
                        do {
                            try await manager.stopStream(id)
                            return id
                        } catch {
                            logger.error("releasing \(id) failed: \(error)")
                            return nil
                        }
                    }
                }
                var done: [String] = []
                for await case let id? in group { done.append(id) }
                return done
            }
            for id in released.sorted() {
                running[id] = nil
                onOutcome(.released(sourceID: id))
            }
            desired.sources = desired.sources.filter { ownership.owns($0.key) }
            desired.rejections = desired.rejections.filter { ownership.owns($0.key) }
        }
        let actions = plan(desired: desired, running: running, publishedRejections: published)
        if actions.contains(where: { if case .start = $0 { true } else { false } }) {
            // A source may come from another replica that committed its cursor a moment ago, or
            // have run here before: resume from what is committed now.
            await manager.refreshCommittedCursors()
        }
        for action in actions {
            if let failure = failures[action.sourceID], failure.retryAt > .now { continue }  // backing off
            await apply(action, running: running[action.sourceID] != nil)
        }
        state.withLock {
            $0.ready = true
            $0.passes += 1
        }
    }

    private func apply(_ action: ReconcileAction, running: Bool) async {
        Counter(label: "stream_manager_reconcile_actions_total", dimensions: [("action", action.name)]).increment()
        do {
            switch action {
            case .start(let d):
                onOutcome(.beginning(sourceID: d.sourceID, source: d, restart: false))
                _ = try await manager.reconfigureStream(sourceID: d.sourceID, to: d.config, configHash: d.configHash)
                let streamID = manager.streamID(forSource: d.sourceID) ?? ""
                succeeded(d.sourceID)
                onOutcome(.started(sourceID: d.sourceID, streamID: streamID, source: d))
            case .reconfigure(let d, let fields):
                _ = try await manager.reconfigureStream(sourceID: d.sourceID, to: d.config, configHash: d.configHash)
                succeeded(d.sourceID)
                onOutcome(.reconfigured(sourceID: d.sourceID, fields: fields, source: d))
            case .restart(let d, let fields):
                onOutcome(.beginning(sourceID: d.sourceID, source: d, restart: true))
                let outcome = try await manager.reconfigureStream(sourceID: d.sourceID, to: d.config, configHash: d.configHash)
                let streamID: String
                if case .restarted(let id, _) = outcome { streamID = id } else { streamID = manager.streamID(forSource: d.sourceID) ?? "" }
                succeeded(d.sourceID)
                onOutcome(.restarted(sourceID: d.sourceID, streamID: streamID, fields: fields, source: d))
            case .stop(let id):
                try await manager.stopStream(id)
                let desired = state.withLock { $0.store.state.sources[id] }
                succeeded(id)
                onOutcome(.stopped(sourceID: id, removed: desired == nil, source: desired))
            case .reject(let id, let rejection):
                state.withLock { $0.published[id] = rejection }
                logger.warning("refused config for \(id) (\(rejection.configVersion)): \(rejection.error)")
                onOutcome(.rejected(sourceID: id, rejection, running: running))
            }
        } catch {
            let wait = state.withLock { s -> Duration in
                let attempts = (s.failures[action.sourceID]?.attempts ?? 0) + 1
                let wait = min(retryBase * (1 << min(attempts - 1, 16)), retryCap)
                s.failures[action.sourceID] = (attempts, .now.advanced(by: wait))
                return wait
            }
            logger.error("reconcile \(action.sourceID) failed (retry in \(wait)): \(error)")
            onOutcome(.failed(sourceID: action.sourceID, error: "\(error)", retryIn: wait, source: action.desired,
                              running: manager.streamID(forSource: action.sourceID) != nil))
        }
    }

    private func succeeded(_ id: String) {
        state.withLock { _ = $0.failures.removeValue(forKey: id) }
    }
}
