import StreamConfig

/// Folds desired-state events into the current `DesiredState` (a reflector store): pure,
/// so the reconcile loop and its tests share it. `isSynced` turns true at the first `initDone`;
/// a re-list (`initStarted` again) rebuilds the state and drops what the new snapshot lacks.
public struct DesiredStateStore: Sendable {
    public private(set) var state = DesiredState()
    public private(set) var isSynced = false
    /// A whole-document error (file or ConfigMap) that is current, for the heartbeat's `config_error`.
    public private(set) var documentError: Rejection?
    private var relisting: DesiredState?

    public init() {}

    /// Applies one event; returns the source ids whose desired state changed (all of them for a
    /// completed re-list or a document error), so the loop knows what to reconcile.
    @discardableResult
    public mutating func apply(_ event: DesiredStateEvent) -> Set<String> {
        switch event {
        case .initStarted:
            relisting = DesiredState()
            return []
        case .initDone:
            let fresh = relisting ?? state
            relisting = nil
            var changed = Set(fresh.sources.keys).union(state.sources.keys).union(fresh.rejections.keys).union(state.rejections.keys)
            if fresh.budgets != state.budgets { changed.formUnion(state.sources.keys) }
            state = fresh
            isSynced = true
            documentError = nil  // a complete snapshot means the document parsed
            return changed
        case .apply(let source):
            update { s in
                s.sources[source.sourceID] = source
                s.rejections[source.sourceID] = nil  // a good config clears an earlier refusal
            }
            documentError = nil
            return [source.sourceID]
        case .reject(let id, let rejection):
            update { $0.rejections[id] = rejection }
            return [id]
        case .delete(let id, _):
            update { s in
                s.sources[id] = nil
                s.rejections[id] = nil
            }
            return [id]
        case .budget(let name, let budget):
            update { s in
                s.budgets[name] = budget
                s.budgetRejections[name] = nil
            }
            return sources(naming: name)
        case .rejectBudget(let name, let rejection):
            update { $0.budgetRejections[name] = rejection }
            return sources(naming: name)
        case .restart:
            return []  // an action on what runs, not a change of what is desired
        case .documentError(let rejection):
            // Nothing that runs changes; every source the document held is reported.
            documentError = rejection
            var ids = Set(state.sources.keys)
            if let relisting { ids.formUnion(relisting.sources.keys) }
            update { s in for id in ids { s.rejections[id] = rejection } }
            return ids
        }
    }

    /// The sources that name a budget: whether they may run depends on it.
    private func sources(naming budget: String) -> Set<String> {
        Set((relisting ?? state).sources.values.filter { $0.config.budget == budget }.map(\.sourceID))
    }

    private mutating func update(_ body: (inout DesiredState) -> Void) {
        if relisting != nil { body(&relisting!) } else { body(&state) }
    }
}
