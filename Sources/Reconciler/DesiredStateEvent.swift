import StreamConfig

/// What a desired-state source emits, as a watcher does: an initial snapshot
/// (`initStarted`, the sources, `initDone`), then changes. The reconciler plans only after
/// `initDone`, so a restarted manager does not stop and start everything.
public enum DesiredStateEvent: Sendable, Equatable {
    case initStarted
    /// A source's good config (during the snapshot or after it).
    case apply(DesiredSource)
    /// A refused config for a source; whatever runs for it keeps running.
    case reject(sourceID: String, Rejection)
    /// The source is gone (a tombstone, a key removed from the file or ConfigMap).
    case delete(sourceID: String, configVersion: String)
    /// The whole document failed (file or ConfigMap): every source it held is rejected with this,
    /// nothing that runs changes.
    case documentError(Rejection)
    case initDone
    /// A budget's definition (nil: deleted), from `budgets.<name>` of a document or a
    /// `__budget:<name>` record.
    case budget(name: String, BudgetConfig?)
    /// A budget record that does not parse or validate: the budget keeps its last good definition.
    case rejectBudget(name: String, Rejection)
    /// An operator asked for a running stream to be restarted (the config topic only; not part
    /// of the desired state: see `RestartRequest`).
    case restart(RestartRequest)
}

/// A swappable origin of desired state: the config topic, a file, a ConfigMap.
public protocol DesiredStateSource: Sendable {
    /// `kafka`, `file` or `configmap` (the heartbeat's `config_source`).
    var kind: String { get }
    /// Reads the desired state in the caller's task, handing each event to `emit`, until the
    /// origin ends or the task is cancelled.
    func produce(_ emit: (DesiredStateEvent) -> Void) async
}
