/// A config that was refused (the status topic's `rejected` field). `configHash` is nil when the
/// whole document failed to parse.
public struct Rejection: Sendable, Equatable, Codable {
    public var configHash: String?
    public var configVersion: String
    /// The validation error with its line and column.
    public var error: String

    public init(configHash: String?, configVersion: String, error: String) {
        self.configHash = configHash
        self.configVersion = configVersion
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case configHash = "config_hash"
        case configVersion = "config_version"
        case error
    }
}

/// Everything the reconciler should make true: the good configs, plus the refusals to report.
/// A source can have both: a running config and a newer one that was refused.
public struct DesiredState: Sendable, Equatable {
    public var sources: [String: DesiredSource]
    public var rejections: [String: Rejection]
    /// The request budgets sources share (`budgets:`, `__budget:<name>` records).
    public var budgets: [String: BudgetConfig]
    /// Budget records that were refused, by budget name.
    public var budgetRejections: [String: Rejection]

    public init(sources: [String: DesiredSource] = [:], rejections: [String: Rejection] = [:],
                budgets: [String: BudgetConfig] = [:], budgetRejections: [String: Rejection] = [:]) {
        self.sources = sources
        self.rejections = rejections
        self.budgets = budgets
        self.budgetRejections = budgetRejections
    }

    /// Why a source that names a budget cannot run: the budget is not defined (or its record was
    /// refused). nil when it names none or a defined one.
    public func missingBudget(of source: DesiredSource) -> Rejection? {
        guard let name = source.config.budget, budgets[name] == nil else { return nil }
        let why = budgetRejections[name].map { "its record was refused: \($0.error)" }
            ?? "no budgets.\(name) in the document, no \(BudgetConfig.recordKey(name)) record in the config topic"
        return Rejection(configHash: source.configHash, configVersion: source.configVersion ?? "",
                         error: "budget: budget '\(name)' is not defined (\(why))")
    }
}
