import ArgumentParser
import Foundation
import Reconciler

/// `stream-manager offsets list`: every committed cursor.
struct OffsetsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show every source's committed cursor, config hash, stream id and update time.",
        discussion: "-o json prints a JSON array of the records as 'offsets get' shows them.")

    enum Format: String, ExpressibleByArgument { case table, json }

    @OptionGroup var options: OffsetsOptions

    @Option(name: .shortAndLong, help: "Output: table or json.")
    var output: Format = .table

    func run() async throws {
        try await withKafkaClientsClosed {
            let entries = try await options.admin(label: "stream-manager.offsets").list()
            switch output {
            case .json: print("[" + entries.map { $0.json() }.joined(separator: ",") + "]")
            case .table: print(Self.table(entries))
            }
        }
    }

    /// SOURCE, CURSOR (cut so a row stays one line: a FIRMS window is large), CONFIG (the hash,
    /// shortened), STREAM, UPDATED.
    static func table(_ entries: [OffsetsEntry]) -> String {
        var rows = [["SOURCE", "CURSOR", "CONFIG", "STREAM", "UPDATED"]]
        for e in entries {
            let cursor = e.cursorJSON.count > 60 ? String(e.cursorJSON.prefix(59)) + "…" : e.cursorJSON
            rows.append([e.sourceID, cursor, String(e.record.configHash.prefix(12)),
                         e.record.streamID.isEmpty ? "-" : e.record.streamID, e.record.updatedAt])
        }
        return StatusTable.table(rows)
    }
}
