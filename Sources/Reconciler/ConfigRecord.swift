import Foundation
import StreamConfig

/// One config-topic record → what it means for the desired state. Lenient about unknown keys
/// (they become warnings: a newer `apply` may write keys this version does not know yet), strict
/// about `manager.source_access`: a record that reaches outside it is refused, so nothing of it runs.
enum ConfigRecord {
    static func event(sourceID: String, value: [UInt8], configVersion: String,
                      access: SourceAccessPolicy = SourceAccessPolicy()) -> DesiredStateEvent {
        let result = ConfigLoader.parseSourceDocument(data: Data(value), sourceID: sourceID, options: .operator(access))
        let warnings = result.diagnostics.filter { $0.severity == .warning }.map(describe)
        if let config = result.value {
            return .apply(DesiredSource(sourceID: sourceID, config: config, configVersion: configVersion, warnings: warnings))
        }
        let errors = result.diagnostics.filter { $0.severity == .error }.map(describe)
        // The refused record's own hash (its bytes): it names which write was refused.
        let hash = ConfigHash.sha256Hex(value)
        return .reject(sourceID: sourceID, Rejection(configHash: hash, configVersion: configVersion,
                                                     error: errors.joined(separator: "; ")))
    }

    /// One `__budget:<name>` record: the budget, or its refusal (the budget keeps its last good
    /// definition, and sources naming a budget that never had one are refused with this error).
    static func budgetEvent(name: String, value: [UInt8], configVersion: String) -> DesiredStateEvent {
        let result = ConfigLoader.parseBudgetDocument(data: Data(value), name: name)
        if let budget = result.value { return .budget(name: name, budget) }
        let errors = result.diagnostics.filter { $0.severity == .error }.map(describe)
        return .rejectBudget(name: name, Rejection(configHash: ConfigHash.sha256Hex(value), configVersion: configVersion,
                                                   error: errors.joined(separator: "; ")))
    }

    /// `line 3, column 9: sources.x.ingestion.mode: unknown value 'fast'` (1-based).
    static func describe(_ d: Diagnostic) -> String {
        let place = d.line > 0 ? "line \(d.line), column \(d.column): " : ""
        return place + (d.path.isEmpty ? "" : "\(d.path): ") + d.message
    }
}
