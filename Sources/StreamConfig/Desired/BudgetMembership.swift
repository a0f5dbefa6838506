import Foundation

/// A source's claim on a budget, as every replica computes it from the same desired state: its
/// weight (by priority) and its need (the requests per second its ingestion settings ask for).
public struct BudgetMember: Sendable, Hashable {
    public var sourceID: String
    public var weight: Double
    /// Requests per second the source would make without the budget: one per polling (or
    /// schedule) interval, capped by its own `rate_limit_per_minute`.
    public var demandPerSecond: Double

    public init(sourceID: String, weight: Double, demandPerSecond: Double) {
        self.sourceID = sourceID
        self.weight = weight
        self.demandPerSecond = demandPerSecond
    }
}

public enum BudgetMembership {
    /// Budget name → its members, from every enabled source (whichever replica runs it). A source
    /// joins the budget it names; one that names none joins the first budget (by name) whose
    /// `hosts` cover its API host. Sources naming an unknown budget join none.
    public static func members(budgets: [String: BudgetConfig], sources: [String: SourceConfig],
                               registry: SourceTypeRegistry = .shared) -> [String: [BudgetMember]] {
        guard !budgets.isEmpty else { return [:] }
        var out: [String: [BudgetMember]] = [:]
        for id in sources.keys.sorted() {
            guard let (name, member) = membership(of: id, sources[id]!, budgets: budgets, registry: registry) else { continue }
            out[name, default: []].append(member)
        }
        return out
    }

    /// One source's budget and claim on it, nil when it is in none (or disabled).
    public static func membership(of id: String, _ source: SourceConfig, budgets: [String: BudgetConfig],
                                  registry: SourceTypeRegistry = .shared) -> (budget: String, member: BudgetMember)? {
        guard source.enabled, !budgets.isEmpty else { return nil }
        let hostBudgets = budgets.keys.sorted().filter { !budgets[$0]!.hosts.isEmpty }
        guard let name = budget(of: source, budgets: budgets, hostBudgets: hostBudgets, registry: registry) else { return nil }
        return (name, BudgetMember(sourceID: id, weight: weight(source.priority), demandPerSecond: demand(source)))
    }

    /// Each budget's members from the memberships of single sources, sorted by source id.
    public static func group(_ memberships: [String: (budget: String, member: BudgetMember)]) -> [String: [BudgetMember]] {
        var out: [String: [BudgetMember]] = [:]
        for id in memberships.keys.sorted() { out[memberships[id]!.budget, default: []].append(memberships[id]!.member) }
        return out
    }

    static func budget(of source: SourceConfig, budgets: [String: BudgetConfig], hostBudgets: [String],
                       registry: SourceTypeRegistry) -> String? {
        if let named = source.budget { return budgets[named] == nil ? nil : named }
        guard !hostBudgets.isEmpty, let host = source.apiHost(registry: registry) else { return nil }
        return hostBudgets.first { budgets[$0]!.covers(host: host) }
    }

    /// Critical sources get four times the share of low ones when both want more than there is.
    static func weight(_ priority: SourcePriority) -> Double {
        switch priority {
        case .critical: 4
        case .high: 3
        case .normal: 2
        case .low: 1
        }
    }

    static func demand(_ s: SourceConfig) -> Double {
        let interval = s.ingestion.mode == .batch ? (s.ingestion.scheduleIntervalSeconds ?? s.ingestion.pollingIntervalSeconds)
                                                  : s.ingestion.pollingIntervalSeconds
        var perSecond = 1 / max(interval, 0.01)
        if s.rateLimitPerMinute > 0 { perSecond = min(perSecond, Double(s.rateLimitPerMinute) / 60) }
        return perSecond
    }
}

extension SourceConfig {
    /// The host its requests go to: that of a literal `url` setting, else its type's fixed API
    /// host. nil when unknown (a URL built from the environment) or not HTTP.
    public func apiHost(registry: SourceTypeRegistry = .shared) -> String? {
        if let url = connector["url"]?.stringValue {
            guard !EnvReference.containsReference(url) else { return nil }
            return URLComponents(string: url)?.host
        }
        return registry.spec(for: sourceType)?.defaultAPIHost
    }
}
