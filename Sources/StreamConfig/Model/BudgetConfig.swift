import Foundation

/// A request budget: `requests` per `interval_seconds`, shared by every source that joins it on
/// every replica of the fleet. A source joins with `budget: <name>`, or — when it names none — by
/// fetching from one of `hosts`. How the fleet keeps to it is in docs/architecture.md ("Fleet-wide
/// API budgets").
public struct BudgetConfig: Sendable, Hashable {
    /// Requests allowed per interval, fleet-wide.
    public var requests: Int
    public var intervalSeconds: Double
    /// API host globs the budget covers (`firms.modaps.eosdis.nasa.gov`, `*.weather.gov`); empty
    /// = only the sources that name it.
    public var hosts: [String]

    public init(requests: Int, intervalSeconds: Double, hosts: [String] = []) {
        self.requests = requests
        self.intervalSeconds = intervalSeconds
        self.hosts = hosts
    }

    /// Budgets live in the config topic beside the sources, under this key prefix (`__` keys are
    /// never source ids, and older managers skip them).
    public static let recordKeyPrefix = "__budget:"

    public static func recordKey(_ name: String) -> String { recordKeyPrefix + name }

    /// The budget name of a config-topic key, nil for any other key.
    public static func name(fromRecordKey key: String) -> String? {
        key.hasPrefix(recordKeyPrefix) ? String(key.dropFirst(recordKeyPrefix.count)) : nil
    }

    /// The budget as the config topic holds it, keys sorted: `{"hosts":[],"interval_seconds":10,"requests":60}`.
    public var canonicalValue: ConfigValue {
        .object(["requests": .int(requests), "interval_seconds": .double(intervalSeconds),
                 "hosts": .array(hosts.map(ConfigValue.string))])
    }

    public var canonicalJSON: String { CanonicalJSON.encode(canonicalValue) }

    /// Whether a request to `host` is one this budget covers.
    public func covers(host: String) -> Bool {
        !hosts.isEmpty && HostGlob.allows(hosts, host: host, port: nil)
    }
}

/// Budget names follow the source id rules: they appear in dotted key paths
/// (`budgets.<name>.requests`), record keys and metric labels.
public enum BudgetName {
    public static func problem(_ name: String) -> String? {
        SourceID.problem(name).map { $0.replacingOccurrences(of: "source id", with: "budget name") }
    }
}
