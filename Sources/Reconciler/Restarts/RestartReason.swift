/// Why the reconcile loop is asked to restart a source's running stream
/// (`ReconcileLoop.requestRestart`).
public enum RestartReason: Sendable, Equatable, CustomStringConvertible {
    /// Someone asked (an operator, through a command): no backoff, only the loop's restart spacing.
    case requested(by: String)
    /// The stream's ingestion loop ended without being asked to stop.
    case loopEnded
    /// This many fetches failed in a row (`manager.restart_after_failures`).
    case fetchFailures(Int)

    /// Restarts the manager decides on by itself: they back off, and `restarts` counts them.
    public var isAutomatic: Bool {
        if case .requested = self { false } else { true }
    }

    public var description: String {
        switch self {
        case .requested(let who): "restarted at the request of \(who)"
        case .loopEnded: "restarted automatically: its polling had ended by itself"
        case .fetchFailures(let n): "restarted automatically after \(n) failed fetches in a row"
        }
    }

    /// Two requests of the same kind for the same stream are one request.
    func sameKind(as other: RestartReason) -> Bool {
        switch (self, other) {
        case (.requested, .requested), (.loopEnded, .loopEnded), (.fetchFailures, .fetchFailures): true
        default: false
        }
    }
}
