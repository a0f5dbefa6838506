/// How sources are held to a `SourceAccessPolicy` while validating.
public enum SourceAccessCheck: Sendable {
    /// Not checked (configs built in code; the connectors still refuse at use).
    case off
    /// The running operator with its own policy: what it refuses is an error, so the source is
    /// rejected and nothing of it runs.
    case enforce(SourceAccessPolicy)
    /// `validate` and `apply`: CI does not know the operator's policy, so what this one refuses
    /// (a whole file's own `manager.source_access` when it has one) is only a warning.
    case advise(SourceAccessPolicy)

    var policy: SourceAccessPolicy? {
        switch self {
        case .off: nil
        case .enforce(let policy), .advise(let policy): policy
        }
    }

    var severity: Severity {
        if case .enforce = self { return .error }
        return .warning
    }
}
