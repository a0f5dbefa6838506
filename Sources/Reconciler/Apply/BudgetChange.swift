import StreamConfig

/// One budget line of the plan `apply` executes and `diff` prints (budgets are published before
/// the sources that use them).
public struct BudgetChange: Sendable, Equatable {
    public var name: String
    public var kind: ConfigChange.Kind
    /// The budget to publish (nil for a removal).
    public var config: BudgetConfig?

    public init(name: String, kind: ConfigChange.Kind, config: BudgetConfig?) {
        self.name = name
        self.kind = kind
        self.config = config
    }

    /// `+ budget firms`, `- budget firms`, `~ budget firms (requests: 60 → 30)`, then how the
    /// fleet takes it: a budget changes in place, no source restarts.
    public var line: String {
        switch kind {
        case .add: return "+ budget \(name)  [new]"
        case .remove: return "- budget \(name)  [remove]"
        case .change(let fields) where fields.isEmpty: return "~ budget \(name) (the live record is unreadable)  [hot]"
        case .change(let fields): return "~ budget \(name) (\(fields.map(\.description).joined(separator: ", ")))  [hot]"
        }
    }
}

/// The budgets of a file against the live topic (`live[name]` nil: the record is unreadable):
/// publish what differs; with `prune`, remove live budgets the file lacks. Sorted by name.
public func planBudgetChanges(file: [String: BudgetConfig], live: [String: BudgetConfig?], prune: Bool) -> [BudgetChange] {
    var changes: [BudgetChange] = []
    for name in Set(file.keys).union(prune ? Set(live.keys) : []).sorted() {
        switch (file[name], live[name]) {
        case (let want?, nil):
            changes.append(BudgetChange(name: name, kind: .add, config: want))
        case (let want?, let have?):
            guard let old = have else {
                changes.append(BudgetChange(name: name, kind: .change([]), config: want))
                continue
            }
            if old.canonicalJSON != want.canonicalJSON {
                changes.append(BudgetChange(name: name, kind: .change(fieldChanges(old, want)), config: want))
            }
        case (nil, _?):
            changes.append(BudgetChange(name: name, kind: .remove, config: nil))
        case (nil, nil):
            break
        }
    }
    return changes
}

private func fieldChanges(_ old: BudgetConfig, _ new: BudgetConfig) -> [FieldChange] {
    guard case .object(let a) = old.canonicalValue, case .object(let b) = new.canonicalValue else { return [] }
    return Set(a.keys).union(b.keys).sorted().compactMap { key in
        a[key] == b[key] ? nil : FieldChange(path: key, oldValue: a[key], newValue: b[key])
    }
}
