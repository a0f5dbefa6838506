/// What runs for a source now, as the reconciler last made it.
public struct RunningSource: Sendable, Equatable {
    public var sourceID: String
    public var config: SourceConfig
    public var configHash: String
    /// The refusal last published for it (so a refusal is reported once, not on every pass).
    public var rejection: Rejection?

    public init(sourceID: String, config: SourceConfig, configHash: String? = nil, rejection: Rejection? = nil) {
        self.sourceID = sourceID
        self.config = config
        self.configHash = configHash ?? config.configHash
        self.rejection = rejection
    }
}

public enum ReconcileAction: Sendable, Equatable {
    case start(DesiredSource)
    case stop(sourceID: String)
    /// Hot changes applied to the running stream in place (the changed field paths).
    case reconfigure(DesiredSource, fields: [String])
    /// Make-before-break: the new stream takes over at the old one's live cursor.
    case restart(DesiredSource, fields: [String])
    /// Report a refused config; nothing that runs changes.
    case reject(sourceID: String, Rejection)
    /// A source that never ran (it was refused) is gone: its status goes too.
    case forget(sourceID: String)

    /// The desired config the action applies, if any.
    public var desired: DesiredSource? {
        switch self {
        case .start(let d), .reconfigure(let d, _), .restart(let d, _): return d
        case .stop, .reject, .forget: return nil
        }
    }

    /// `start`, `stop`, `reconfigure`, `restart`, `reject` or `forget` (metrics label, logs).
    public var name: String {
        switch self {
        case .start: "start"
        case .stop: "stop"
        case .reconfigure: "reconfigure"
        case .restart: "restart"
        case .reject: "reject"
        case .forget: "forget"
        }
    }

    public var sourceID: String {
        switch self {
        case .start(let d), .reconfigure(let d, _), .restart(let d, _): return d.sourceID
        case .stop(let id), .reject(let id, _), .forget(let id): return id
        }
    }
}

/// The reconciler's decision, as a pure function: level-triggered (it looks only at what is
/// desired and what runs, never at how it got there) and idempotent (once its actions are
/// applied, the same inputs plan nothing). Actions come sorted by source id.
public func plan(desired: DesiredState, running: [String: RunningSource],
                 publishedRejections: [String: Rejection] = [:]) -> [ReconcileAction] {
    var actions: [ReconcileAction] = []
    let ids = Set(desired.sources.keys).union(running.keys).union(desired.rejections.keys)
        .union(publishedRejections.keys).sorted()
    for id in ids {
        let want = desired.sources[id]
        let have = running[id]
        switch (want, have) {
        case (let want?, nil) where want.config.enabled:
            actions.append(.start(want))
        case (let want?, _?) where !want.config.enabled:
            actions.append(.stop(sourceID: id))
        case (nil, _?):
            actions.append(.stop(sourceID: id))
        case (nil, nil) where desired.rejections[id] == nil && publishedRejections[id] != nil:
            actions.append(.forget(sourceID: id))
        case (let want?, let have?) where want.configHash != have.configHash:
            switch classify(have.config, want.config) {
            case .none, .enable, .disable:
                break  // same semantics (hashes differ only by what classify ignores), or handled above
            case .hot(let fields):
                actions.append(.reconfigure(want, fields: fields))
            case .restart(let fields):
                actions.append(.restart(want, fields: fields))
            }
        default:
            break
        }
        if let refused = desired.rejections[id], publishedRejections[id] != refused {
            actions.append(.reject(sourceID: id, refused))
        }
    }
    return actions
}
