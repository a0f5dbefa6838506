import StreamConfig

/// How the running fleet takes one planned change, as `diff` and `apply --dry-run` print it
/// after the change: what the owner will do, and which replica runs the source now.
public struct ChangeImpact: Sendable, Equatable, CustomStringConvertible {
    public enum Action: String, Sendable, Equatable {
        /// A source the topic does not hold yet: started by the replica that owns its partition.
        case new
        /// Tombstoned: its stream stops (drained, cursor committed) and its status goes.
        case remove
        /// Applied to the running stream in place, same stream id, no gap.
        case hot
        /// A new connector, started make-before-break at the old stream's cursor.
        case restart
        /// `enabled` turns true: the stream starts at its committed cursor.
        case enable
        /// `enabled` turns false: the stream stops; status STOPPED (disabled).
        case disable
        /// The hashes differ but nothing the operator acts on does.
        case none
    }

    public var action: Action
    /// `runs on m1`, `STOPPED on m1`, `not running` (from the status topic).
    public var placement: String?

    public init(change: ConfigChange, live: LiveConfig?, status: SourceStatus?) {
        switch change.kind {
        case .add:
            action = .new
        case .remove:
            action = .remove
        case .change:
            if let old = live?.config, let new = change.config {
                switch classify(old, new) {
                case .none: action = .none
                case .hot: action = .hot
                case .restart: action = .restart
                case .enable: action = .enable
                case .disable: action = .disable
                }
            } else {
                // The live record was refused: what runs is its last accepted config, which this
                // side cannot see; a new connector is the safe assumption.
                action = .restart
            }
        }
        placement = change.kind == .add && status == nil ? nil : Self.placement(status)
    }

    static func placement(_ status: SourceStatus?) -> String {
        guard let status else { return "not running" }
        switch status.state {
        case .running, .degraded, .starting, .reconfiguring:
            return "runs on \(status.instanceID)"
        default:
            return "\(status.state.rawValue) on \(status.instanceID)"
        }
    }

    /// `[hot; runs on m1]`.
    public var description: String {
        "[" + ([action.rawValue] + (placement.map { [$0] } ?? [])).joined(separator: "; ") + "]"
    }
}
