import StreamManagerKit

/// Looks at the running streams on every status tick and asks the reconcile loop to restart
/// the ones that will not recover by themselves: a stream whose ingestion loop ended without a
/// stop, and one whose fetches have failed `restartAfterFailures` times in a row (0: never for
/// failures). It only asks: the loop decides when (backoff, spacing) and drops a request for a
/// stream that has been replaced meanwhile.
public struct StreamSupervisor: Sendable {
    public let loop: ReconcileLoop
    public let restartAfterFailures: Int

    public init(loop: ReconcileLoop, restartAfterFailures: Int) {
        self.loop = loop
        self.restartAfterFailures = restartAfterFailures
    }

    /// `reports`: the runtime's stream reports of this tick, by source id. Returns the restarts
    /// it asked for that the loop took, by source id.
    @discardableResult
    public func check(_ reports: [String: StreamReport]) -> [String: RestartReason] {
        var asked: [String: RestartReason] = [:]
        for (id, report) in reports {
            let reason: RestartReason
            if report.loopEnded {
                reason = .loopEnded
            } else if restartAfterFailures > 0, report.consecutiveFailures >= restartAfterFailures {
                reason = .fetchFailures(report.consecutiveFailures)
            } else {
                continue
            }
            if loop.requestRestart(sourceID: id, streamID: report.streamID, reason: reason) { asked[id] = reason }
        }
        return asked
    }
}
