import Foundation
import Pipeline
import Reconciler
import StreamConfig

/// A manager's heartbeat as the dashboard shows it: without its metrics tree and its list of source
/// ids (10,000 ids per manager would be most of every event), with the number of sources and whether
/// the heartbeat is stale instead.
extension StatusBoard.Manager {
    /// Stale after three status intervals without a heartbeat (at least 30 s; 90 s when the record
    /// does not say its interval): a manager that stopped without its goodbye, or is cut off.
    func isStale(at now: Date) -> Bool {
        guard let updated = updatedAt.flatMap(RFC3339.date) else { return true }
        let limit = statusIntervalSeconds.map { max(30, FleetBoard.staleIntervals * $0) } ?? 90
        return now.timeIntervalSince(updated) > limit
    }

    func dashboardJSON(now: Date) -> String {
        func quoted(_ s: String?) -> String { s.map(CanonicalJSON.quoted) ?? "null" }
        var out = "{\"active_streams\":\(activeStreams.map(String.init) ?? "null")"
        out += ",\"assigned_partitions\":[\((assignedPartitions ?? []).map(String.init).joined(separator: ","))]"
        if let e = configError {
            out += ",\"config_error\":{\"config_version\":\(quoted(e.configVersion)),\"error\":\(quoted(e.error))}"
        } else {
            out += ",\"config_error\":null"
        }
        out += ",\"config_source\":\(quoted(configSource)),\"delivery_mode\":\(quoted(deliveryMode))"
        out += ",\"instance_id\":\(quoted(instanceID)),\"source_count\":\(sources?.count ?? 0)"
        out += ",\"stale\":\(isStale(at: now)),\"started_at\":\(quoted(startedAt))"
        out += ",\"status_interval_seconds\":\(statusIntervalSeconds.map(CanonicalJSON.number) ?? "null")"
        out += ",\"updated_at\":\(quoted(updatedAt)),\"version\":\(quoted(version))"
        out += ",\"warnings\":[\((warnings ?? []).map(CanonicalJSON.quoted).joined(separator: ","))]}"
        return out
    }
}
