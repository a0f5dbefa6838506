import Foundation
import Pipeline
import Reconciler
import StreamConfig
import TextEscaping

/// The `status` table (the columns the README lists), then the managers with their heartbeat age.
enum StatusTable {
    static func render(_ board: StatusBoard, now: Date) -> String {
        var rows = [["SOURCE", "STATE", "MODE", "TOPIC", "RECORDS", "ERRORS", "DROPPED", "INSTANCE", "CONFIG", "UPDATED", "LAST ERROR"]]
        for id in board.sources.keys.sorted() {
            let s = board.sources[id]!
            var state = s.state.rawValue
            if let reason = s.reason, s.state != .rejected { state += " (\(reason))" }
            if s.rejected != nil && s.state != .rejected { state += " (rejected edit)" }
            let error = s.rejected.map { "rejected: \($0.error)" } ?? s.lastError ?? ""
            rows.append([id, state, s.mode ?? "-", s.topic ?? "-", "\(s.recordsProcessed)", "\(s.recordsFailed)",
                         s.recordsDropped.map(String.init) ?? "-",
                         s.instanceID, s.configHash.map(ConfigHash.short) ?? "-", s.updatedAt, oneLine(error)])
        }
        var out = table(rows)
        out += "\n\n"
        var managers = [["MANAGER", "CONFIG SOURCE", "STREAMS", "PARTITIONS", "VERSION", "HEARTBEAT AGE"]]
        for id in board.managers.keys.sorted() {
            let m = board.managers[id]!
            let age = m.updatedAt.flatMap(RFC3339.date).map { "\(max(0, Int(now.timeIntervalSince($0))))s" } ?? "-"
            let partitions = (m.assignedPartitions ?? []).isEmpty ? "-" : m.assignedPartitions!.map(String.init).joined(separator: ",")
            managers.append([id, m.configSource ?? "-", "\(m.activeStreams ?? 0)", partitions, m.version ?? "-", age])
        }
        out += table(managers)
        return out
    }

    /// Long errors are cut so a row stays one line.
    private static func oneLine(_ s: String) -> String {
        let flat = ControlCharacters.escaped(s.replacingOccurrences(of: "\n", with: " "))
        return flat.count > 80 ? String(flat.prefix(79)) + "…" : flat
    }

    /// Columns padded to their widest cell; control characters escaped.
    static func table(_ rows: [[String]]) -> String {
        let rows = rows.map { $0.map(ControlCharacters.escaped) }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
