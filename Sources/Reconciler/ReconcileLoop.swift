import Foundation
import Logging
import Metrics
import ServiceLifecycle
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
    /// A `requestRestart` ran: the same config in a new stream, resumed at the old one's cursor.
    /// `restarts` counts the source's automatic restarts by this loop so far.
    case restartedOnRequest(sourceID: String, streamID: String, reason: RestartReason, restarts: Int, source: DesiredSource)
}

/// The reconciler, level-triggered and keyed by source id (see docs/architecture.md): desired-
/// state events mark ids dirty in a `ReconcileQueue`; up to `maxConcurrent` workers each take an
/// id, read the *newest* desired state for it and what runs for it, plan that one id and apply the
/// plan through the `StreamRuntime`. So a burst of edits to one source collapses into at most one
/// more action after the one under way, one source's slow restart or drain never delays another
/// source, and the same id is never reconciled by two workers at once. Restarts of one source are
/// spaced by `restartSpacing`: edits that arrive while one restart runs or just after it (a script
/// sweeping a setting, CI applying several commits) wait and go out as one restart to the newest
/// version, instead of one make-before-break per edit. A failed action is retried
/// with capped exponential backoff by re-queueing its id after the delay the reconcile returns
/// (no polling timer), or at once when a newer config arrives. A restart asked for through
/// `requestRestart` (a stream that stopped working, an operator) is carried out by the same
/// worker pass, so it never races the source's config changes.
public final class ReconcileLoop: Service, Sendable {
    private let runtime: StreamRuntime
    private let source: any DesiredStateSource
    private let logger: Logger
    private let onOutcome: @Sendable (ReconcileOutcome) -> Void
    private let retryBase: Duration
    private let retryCap: Duration
    private let maxConcurrent: Int
    private let restartSpacing: Duration
    /// Set when replicas share the sources: only owned ones are run.
    private let ownership: Ownership?
    /// How a last accepted config read back from the offsets topic is checked before it runs.
    private let validation: ValidationOptions
    private let state = Mutex(LoopState())
    private let wake = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    private let cursorRefresh: CoalescedRun
    private let duration = Metrics.Timer(label: "stream_manager_reconcile_duration_seconds")

    struct Failure {
        var attempts: Int
        var retryAt: ContinuousClock.Instant
        /// The desired config that failed; a different one is tried at once.
        var configHash: String?
    }

    enum Waiter {
        case ready
        case caller(CheckedContinuation<Void, Never>)
    }

    struct LoopState {
        var store = DesiredStateStore()
        var published: [String: Rejection] = [:]
        var failures: [String: Failure] = [:]
        var queue = ReconcileQueue()
        var waiters: [Int: Waiter] = [:]
        var ready = false
        var reconciles = 0
        var syncedAt: ContinuousClock.Instant?
        /// Bumped when another replica may have committed cursors this one has not read
        /// (ownership changed); starts re-read the offsets topic until a read covers it.
        var cursorsStale: UInt64 = 0
        var cursorsRead: UInt64 = 0
        /// Parsed last accepted configs from the offsets topic, by source id (keyed by hash).
        var lastAccepted: [String: (hash: String, source: DesiredSource?)] = [:]
        /// When each source's last make-before-break restart finished.
        var restartedAt: [String: ContinuousClock.Instant] = [:]
        /// Restarts asked for, by source id, each for the stream that ran when it was asked.
        var restartRequests: [String: PendingRestart] = [:]
        var restartBackoffs: [String: RestartBackoff] = [:]
        /// Automatic restarts per source.
        var restarts: [String: Int] = [:]
        /// The budgets the memberships below were computed with, and each source's membership:
        /// recomputed for the sources an event changed, for all of them when a budget changed.
        var sharedBudgets: [String: BudgetConfig] = [:]
        var memberships: [String: (budget: String, member: BudgetMember)] = [:]
    }

    /// A restart asked for and not yet carried out (the stream it is for, and why).
    struct PendingRestart {
        var streamID: String
        var reason: RestartReason
    }

    public init(runtime: StreamRuntime, source: any DesiredStateSource, logger: Logger,
                retryBase: Duration = .seconds(1), retryCap: Duration = .seconds(60), ownership: Ownership? = nil,
                maxConcurrent: Int = 16, restartSpacing: Duration = .seconds(2), validation: ValidationOptions = .lenient,
                onOutcome: @escaping @Sendable (ReconcileOutcome) -> Void = { _ in }) {
        self.ownership = ownership
        self.runtime = runtime
        self.source = source
        self.logger = logger
        self.retryBase = retryBase
        self.retryCap = retryCap
        self.maxConcurrent = max(1, maxConcurrent)
        self.restartSpacing = restartSpacing
        self.validation = validation
        self.onOutcome = onOutcome
        cursorRefresh = CoalescedRun { await runtime.refreshCommittedCursors() }
    }

    /// True once every source of the initial snapshot has been reconciled (`/readyz`).
    public var isReady: Bool { state.withLock { $0.ready } }
    public var desired: DesiredState { state.withLock { $0.store.state } }
    public var documentError: Rejection? { state.withLock { $0.store.documentError } }
    /// When the initial snapshot was complete (InitDone), for benchmarks and logs.
    public var syncedAt: ContinuousClock.Instant? { state.withLock { $0.syncedAt } }
    /// Completed reconciles of one source each (tests and metrics).
    public var passes: Int { state.withLock { $0.reconciles } }

    /// Runs until graceful shutdown, until the task is cancelled, or until the desired-state
    /// source ends.
    public func run() async {
        await cancelWhenGracefulShutdown { [self] in await reconcileUntilCancelled() }
    }

    private func reconcileUntilCancelled() async {
        await withDiscardingTaskGroup { group in
            group.addTask { [self] in
                await source.produce { [self] event in handle(event) }
                wake.continuation.finish()
            }
            for await _ in wake.stream {
                while let id = state.withLock({ $0.queue.take(limit: maxConcurrent) }) {
                    group.addTask { [self] in
                        let requeue = await reconcile(id)
                        finished(id)
                        if let requeue {
                            try? await Task.sleep(for: requeue)
                            if !Task.isCancelled { markDirty([id]) }
                        }
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Reconciles every source again, after an ownership change: another replica may have
    /// committed cursors since they were read. Returns once each has been reconciled by a run that
    /// began after this call (a rebalance waits for its revoked sources to be released).
    public func reconcileNow() async {
        let running = runtime.runningSources.keys
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let waiting = state.withLock { s -> Bool in
                guard s.store.isSynced else { return false }
                s.cursorsStale += 1
                guard let barrier = s.queue.barrier(over: Self.allIDs(s, running: running)) else { return false }
                s.waiters[barrier] = .caller(c)
                return true
            }
            if waiting { wake.continuation.yield() } else { c.resume() }
        }
    }

    /// Asks for the source's running stream to be restarted with the config it runs: a new
    /// connector and stream, resuming at the old stream's cursor (make-before-break). Carried
    /// out by a worker like any reconcile of the source, never alongside one. `streamID` names
    /// the stream meant (nil: whichever runs now); a request for a stream that no longer runs
    /// when it is asked or carried out is dropped, so a late one never restarts a newer stream.
    /// Automatic reasons wait out the source's `RestartBackoff`; every restart keeps the
    /// loop's restart spacing. Returns whether the request was taken.
    @discardableResult
    public func requestRestart(sourceID: String, streamID: String?, reason: RestartReason) -> Bool {
        guard let running = runtime.streamID(forSource: sourceID), streamID == nil || streamID == running else { return false }
        let fresh = state.withLock { s -> Bool in
            if let pending = s.restartRequests[sourceID], pending.streamID == running, pending.reason.sameKind(as: reason) {
                return false  // asked already; the first one stands
            }
            s.restartRequests[sourceID] = PendingRestart(streamID: running, reason: reason)
            return true
        }
        if fresh { markDirty([sourceID]) }
        return true
    }

    /// Automatic restarts of a source so far.
    public func restarts(of sourceID: String) -> Int { state.withLock { $0.restarts[sourceID] ?? 0 } }

    private static func allIDs(_ s: LoopState, running: some Sequence<String>) -> Set<String> {
        Set(s.store.state.sources.keys).union(s.store.state.rejections.keys).union(s.published.keys).union(running)
    }

    private func handle(_ event: DesiredStateEvent) {
        if case .restart(let request) = event {
            // Acted on only by the replica running that very stream; anyone else drops it.
            requestRestart(sourceID: request.sourceID, streamID: request.streamID, reason: .requested(by: request.requestedBy))
            return
        }
        let running = event == .initDone ? Array(runtime.runningSources.keys) : []
        let ids = state.withLock { s -> Set<String> in
            let wasSynced = s.store.isSynced
            let changed = s.store.apply(event)
            guard s.store.isSynced, event != .initStarted else { return [] }
            if !wasSynced {
                // The initial snapshot is complete: reconcile all of it, ready once that is done.
                s.syncedAt = .now
                let all = Self.allIDs(s, running: running)
                if let barrier = s.queue.barrier(over: all.sorted()) { s.waiters[barrier] = .ready } else { s.ready = true }
                return []
            }
            return changed
        }
        shareBudgets(changed: ids)
        markDirty(ids.sorted())
        if event == .initDone { wake.continuation.yield() }
    }

    /// Gives the runtime's budget board the budgets and their members as the desired state has
    /// them now (every replica computes the same shares from the same state; see
    /// docs/architecture.md, "Fleet-wide API budgets"). Nothing to do while no budget exists.
    private func shareBudgets(changed: Set<String>) {
        let inputs = state.withLock { s -> ([String: BudgetConfig], [String: [BudgetMember]])? in
            let desired = s.store.state
            guard s.store.isSynced, !desired.budgets.isEmpty || !s.sharedBudgets.isEmpty else { return nil }
            if desired.budgets != s.sharedBudgets {
                s.sharedBudgets = desired.budgets
                s.memberships = [:]
                for (id, source) in desired.sources {
                    s.memberships[id] = BudgetMembership.membership(of: id, source.config, budgets: desired.budgets)
                }
            } else {
                guard !changed.isEmpty else { return nil }
                for id in changed {
                    s.memberships[id] = desired.sources[id].flatMap {
                        BudgetMembership.membership(of: id, $0.config, budgets: desired.budgets)
                    }
                }
            }
            return (desired.budgets, BudgetMembership.group(s.memberships))
        }
        guard let (budgets, members) = inputs else { return }
        runtime.budgets.update(budgets: budgets, members: members)
    }

    private func markDirty(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        state.withLock { $0.queue.add(ids) }
        wake.continuation.yield()
    }

    private func finished(_ id: String) {
        let waiters = state.withLock { s -> [Waiter] in
            s.reconciles += 1
            return s.queue.finish(id).compactMap { s.waiters.removeValue(forKey: $0) }
        }
        for waiter in waiters {
            switch waiter {
            case .ready: state.withLock { $0.ready = true }
            case .caller(let c): c.resume()
            }
        }
        wake.continuation.yield()  // a worker slot is free
    }

    // MARK: one source

    /// Makes what runs for `id` match its newest desired state; returns when to look again, if a
    /// failed action should be retried.
    private func reconcile(_ id: String) async -> Duration? {
        let began = ContinuousClock.now
        defer { duration.recordNanoseconds(Int64((ContinuousClock.now - began) / .nanoseconds(1))) }
        let running = runtime.runningSource(id)
        if let ownership, !ownership.owns(id) {
            // Another replica runs it from now on: hand it over (drained, cursor committed).
            if running != nil { await release(id) }
            return nil
        }
        var (wanted, rejection, published, failure, restartedAt) = state.withLock { s in
            (s.store.state.sources[id], s.store.state.rejections[id], s.published[id], s.failures[id], s.restartedAt[id])
        }
        // A config naming a budget nobody defined is refused like an invalid one: what runs keeps
        // running; nothing starts.
        let missingBudget = wanted.flatMap { w in state.withLock { $0.store.state.missingBudget(of: w) } }
        if let missingBudget {
            rejection = missingBudget
            wanted = running
        }
        var desired = DesiredState()
        if let wanted {
            desired.sources[id] = wanted
        } else if running == nil, missingBudget == nil {
            desired.sources[id] = await lastAccepted(id, rejected: rejection)
        }
        desired.rejections[id] = rejection
        let have = running.map { [id: RunningSource(sourceID: id, config: $0.config, configHash: $0.configHash)] } ?? [:]
        let actions = plan(desired: desired, running: have, publishedRejections: published.map { [id: $0] } ?? [:])
        var requeue: Duration?
        for action in actions {
            if let failure, failure.configHash == action.desired?.configHash, failure.retryAt > .now {
                requeue = failure.retryAt - .now  // backing off this very config
                continue
            }
            if case .restart = action, let restartedAt, ContinuousClock.now - restartedAt < restartSpacing {
                requeue = restartSpacing - (ContinuousClock.now - restartedAt)  // coalesce with what follows
                continue
            }
            if let retry = await apply(action) { requeue = retry }
        }
        if rejection == nil, actions.allSatisfy({ if case .forget = $0 { false } else { true } }) {
            state.withLock { _ = $0.published.removeValue(forKey: id) }
        }
        if let wait = await restartIfRequested(id) { requeue = min(requeue ?? wait, wait) }
        return requeue
    }

    /// Carries out the source's pending restart request, if the stream it names still runs;
    /// returns when to look again while it has to wait (backoff, spacing, a failed restart).
    private func restartIfRequested(_ id: String) async -> Duration? {
        guard let request = state.withLock({ $0.restartRequests[id] }) else { return nil }
        guard runtime.streamID(forSource: id) == request.streamID, let source = runtime.runningSource(id) else {
            dropRestartRequest(id, request)
            return nil
        }
        let now = ContinuousClock.now
        let lastProgress = runtime.report(forSource: id)?.lastProgressAt.map { now - .seconds($0.distance(to: Date())) }
        let (backoff, restartedAt) = state.withLock { s in (s.restartBackoffs[id] ?? RestartBackoff(), s.restartedAt[id]) }
        var wait = request.reason.isAutomatic ? backoff.wait(now: now, lastProgress: lastProgress) : .zero
        if let restartedAt { wait = max(wait, restartSpacing - (now - restartedAt)) }
        if wait > .zero { return wait }
        logger.warning("restarting \(id) (stream \(request.streamID)): \(request.reason)")
        Counter(label: "stream_manager_reconcile_actions_total", dimensions: [("action", "restart_on_request")]).increment()
        do {
            let streamID = try await runtime.restart(source)
            let restarts = state.withLock { s -> Int in
                let done = ContinuousClock.now
                s.restartedAt[id] = done
                if request.reason.isAutomatic {
                    // Spaced from the end of this restart: a slow one does not eat the next wait.
                    s.restartBackoffs[id, default: RestartBackoff()].record(now: done, lastProgress: lastProgress)
                    s.restarts[id, default: 0] += 1
                }
                return s.restarts[id] ?? 0
            }
            dropRestartRequest(id, request)
            onOutcome(.restartedOnRequest(sourceID: id, streamID: streamID, reason: request.reason, restarts: restarts,
                                          source: source))
            return nil
        } catch {
            // The old stream has stopped polling and is still the one registered: the request
            // stays, and is tried again after the backoff (counted, so it grows).
            let retry = state.withLock { s -> Duration in
                s.restartBackoffs[id, default: RestartBackoff()].record(now: now, lastProgress: lastProgress)
                return RestartBackoff.gap(afterRestarts: s.restartBackoffs[id]!.restarts)
            }
            logger.error("restarting \(id) failed (retry in \(retry)): \(error)")
            onOutcome(.failed(sourceID: id, error: "\(error)", retryIn: retry, source: source,
                              running: runtime.streamID(forSource: id) != nil))
            return retry
        }
    }

    /// Removes the request if it is still the one pending (a newer one may have replaced it).
    private func dropRestartRequest(_ id: String, _ request: PendingRestart) {
        state.withLock { s in
            if let pending = s.restartRequests[id], pending.streamID == request.streamID, pending.reason == request.reason {
                s.restartRequests[id] = nil
            }
        }
    }

    private func release(_ id: String) async {
        do {
            try await runtime.stop(sourceID: id)
            runtime.forgetMetrics(sourceID: id)
            onOutcome(.released(sourceID: id))
        } catch {
            logger.error("releasing \(id) failed: \(error)")
        }
    }

    /// The config a source last ran with, from the offsets topic, when its newest record was
    /// refused and nothing runs for it (this manager restarted, or took the source over): a bad
    /// record must not stop a source that was running, whoever runs it now.
    private func lastAccepted(_ id: String, rejected: Rejection?) async -> DesiredSource? {
        guard let rejected else { return nil }
        await refreshCursorsIfStale()
        guard let committed = runtime.committedCursor(forSource: id), let config = committed.config else { return nil }
        if let cached = state.withLock({ $0.lastAccepted[id] }), cached.hash == committed.configHash { return cached.source }
        let result = ConfigLoader.parseSourceDocument(data: Data(config.utf8), sourceID: id, options: validation)
        let accepted = result.value.map { value in
            let version = committed.configVersion ?? "offsets:\(id)"
            return DesiredSource(sourceID: id, config: value, configVersion: version,
                                 warnings: ["runs its last accepted config (\(version)): the newest record (\(rejected.configVersion)) was rejected"])
        }
        if accepted == nil {
            logger.warning("the last accepted config of \(id) in the offsets topic no longer validates; not running it")
        }
        state.withLock { $0.lastAccepted[id] = (committed.configHash, accepted) }
        return accepted
    }

    /// Before a start: another replica may have committed this source's cursor since it was read.
    private func refreshCursorsIfStale() async {
        let stale = state.withLock { s -> UInt64? in s.cursorsStale > s.cursorsRead ? s.cursorsStale : nil }
        guard let stale else { return }
        await cursorRefresh.run()
        state.withLock { $0.cursorsRead = max($0.cursorsRead, stale) }
    }

    /// Applies one action; returns the retry delay when it failed.
    private func apply(_ action: ReconcileAction) async -> Duration? {
        Counter(label: "stream_manager_reconcile_actions_total", dimensions: [("action", action.name)]).increment()
        do {
            switch action {
            case .start(let d):
                await refreshCursorsIfStale()
                onOutcome(.beginning(sourceID: d.sourceID, source: d, restart: false))
                let streamID = try await runtime.start(d)
                succeeded(d.sourceID)
                onOutcome(.started(sourceID: d.sourceID, streamID: streamID, source: d))
            case .reconfigure(let d, let fields):
                try runtime.applyHot(d)
                succeeded(d.sourceID)
                onOutcome(.reconfigured(sourceID: d.sourceID, fields: fields, source: d))
            case .restart(let d, let fields):
                onOutcome(.beginning(sourceID: d.sourceID, source: d, restart: true))
                let streamID = try await runtime.restart(d)
                state.withLock { $0.restartedAt[d.sourceID] = .now }
                succeeded(d.sourceID)
                onOutcome(.restarted(sourceID: d.sourceID, streamID: streamID, fields: fields, source: d))
            case .stop(let id):
                try await runtime.stop(sourceID: id)
                let desired = state.withLock { $0.store.state.sources[id] }
                if desired == nil { runtime.forgetMetrics(sourceID: id) }
                state.withLock { s in
                    s.restartedAt[id] = nil
                    s.restartRequests[id] = nil
                    s.restartBackoffs[id] = nil
                    if desired == nil { s.restarts[id] = nil }
                }
                succeeded(id)
                onOutcome(.stopped(sourceID: id, removed: desired == nil, source: desired))
            case .reject(let id, let rejection):
                state.withLock { $0.published[id] = rejection }
                logger.warning("refused config for \(id) (\(rejection.configVersion)): \(rejection.error)")
                // Asked now: a start planned just before (a last accepted config) may run it.
                onOutcome(.rejected(sourceID: id, rejection, running: runtime.runningSource(id) != nil))
            case .forget(let id):
                state.withLock { _ = $0.published.removeValue(forKey: id) }
                onOutcome(.stopped(sourceID: id, removed: true, source: nil))
            }
            return nil
        } catch {
            let wait = state.withLock { s -> Duration in
                let attempts = (s.failures[action.sourceID]?.attempts ?? 0) + 1
                let wait = min(retryBase * (1 << min(attempts - 1, 16)), retryCap)
                s.failures[action.sourceID] = Failure(attempts: attempts, retryAt: .now.advanced(by: wait),
                                                      configHash: action.desired?.configHash)
                return wait
            }
            logger.error("reconcile \(action.sourceID) failed (retry in \(wait)): \(error)")
            onOutcome(.failed(sourceID: action.sourceID, error: "\(error)", retryIn: wait, source: action.desired,
                              running: runtime.streamID(forSource: action.sourceID) != nil))
            return wait
        }
    }

    private func succeeded(_ id: String) {
        state.withLock { _ = $0.failures.removeValue(forKey: id) }
    }
}
