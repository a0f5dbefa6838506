import StreamConfig

/// What `apply --wait` waits for, per applied source: RUNNING with the applied hash
/// (STOPPED with it for a disabled source; STOPPED or gone for a removal). It fails at once on a
/// refusal of the applied config or a FAILED state with it.
public struct ApplyExpectation: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case pending
        case done
        case failed(String)
    }

    public var sourceID: String
    /// Canonical hash of the applied config; nil for a removal.
    public var configHash: String?
    public var enabled: Bool

    public init(change: ConfigChange) {
        sourceID = change.sourceID
        configHash = change.config?.configHash
        enabled = change.config?.enabled ?? false
    }

    public func verdict(_ status: SourceStatus?) -> Verdict {
        guard let configHash else {
            guard let status else { return .done }  // tombstoned
            return status.state == .stopped ? .done : .pending
        }
        guard let status else { return .pending }
        // `apply` publishes the canonical JSON, whose SHA-256 is the canonical hash: an operator that
        // refuses the record reports that hash whether or not it could parse it.
        if let refused = status.rejected, refused.configHash == configHash {
            return .failed("\(sourceID): rejected: \(refused.error)")
        }
        guard status.configHash == configHash else { return .pending }
        switch status.state {
        case .failed: return .failed("\(sourceID): FAILED: \(status.lastError ?? "no error reported")")
        case .running, .degraded: return enabled ? .done : .pending
        case .stopped: return enabled ? .pending : .done
        default: return .pending
        }
    }
}
