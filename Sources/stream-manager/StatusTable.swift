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
            let state = s.rejected == nil || s.state == .rejected ? s.state.rawValue : "\(s.state.rawValue) (rejected edit)"
            let error = s.rejected.map { "rejected: \($0.error)" } ?? s.last_error ?? ""
            rows.append([id, state, s.mode ?? "-", s.topic ?? "-", "\(s.records_processed)", "\(s.records_failed)",
                         s.records_dropped.map(String.init) ?? "-",
                         s.instance_id, s.config_hash.map(ConfigHash.short) ?? "-", s.updated_at, oneLine(error)])
        }
        var out = table(rows)
        out += "\n\n"
        var managers = [["MANAGER", "CONFIG SOURCE", "STREAMS", "PARTITIONS", "VERSION", "HEARTBEAT AGE"]]
        for id in board.managers.keys.sorted() {
            let m = board.managers[id]!
            let age = m.updated_at.flatMap(RFC3339.date).map { "\(max(0, Int(now.timeIntervalSince($0))))s" } ?? "-"
            let partitions = (m.assigned_partitions ?? []).isEmpty ? "-" : m.assigned_partitions!.map(String.init).joined(separator: ",")
            managers.append([id, m.config_source ?? "-", "\(m.active_streams ?? 0)", partitions, m.version ?? "-", age])
        }
        out += table(managers)
        return out
    }

    /// Long errors are cut so a row stays one line.
    private static func oneLine(_ s: String) -> String {
        let flat = ControlCharacters.escaped(s.replacingOccurrences(of: "\n", with: " "))
        return flat.count > 80 ? String(flat.prefix(79)) + "…" : flat
    }

    private static func table(_ rows: [[String]]) -> String {
        let rows = rows.map { $0.map(ControlCharacters.escaped) }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
