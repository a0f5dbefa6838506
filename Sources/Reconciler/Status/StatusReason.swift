import StreamManagerKit

/// The `reason` of a source's status record: one machine word for why its state is what it is,
/// for dashboards and alerts to match on (`last_error` says the same in words).
public enum StatusReason: String, Sendable, CaseIterable {
    // STOPPED
    /// `enabled: false`.
    case disabled
    /// The manager shut down.
    case shutdown
    /// The source was removed from the desired state.
    case removed
    /// Handed over to another replica.
    case released
    // DEGRADED
    case stalled
    case backpressure
    case fetchFailing = "fetch_failing"
    case deliveryFailing = "delivery_failing"
    case dropping
    case kafkaUnreachable = "kafka_unreachable"
    // FAILED
    case startFailed = "start_failed"
    // REJECTED
    case rejected

    init(_ kind: StreamProblem.Kind) {
        switch kind {
        case .stalled: self = .stalled
        case .backpressure: self = .backpressure
        case .fetchFailing: self = .fetchFailing
        case .deliveryFailing: self = .deliveryFailing
        case .dropping: self = .dropping
        }
    }
}

extension SourceStatus {
    /// Keeps `reason` in step with `state`: none for the states that need none, the only one
    /// there is for FAILED and REJECTED. STOPPED and DEGRADED keep what whoever set the state
    /// gave them.
    mutating func alignReason() {
        switch state {
        case .pending, .starting, .running, .reconfiguring: reason = nil
        case .failed: reason = StatusReason.startFailed.rawValue
        case .rejected: reason = StatusReason.rejected.rawValue
        case .stopped, .degraded: break
        }
    }

    mutating func set(_ reason: StatusReason) { self.reason = reason.rawValue }
}
