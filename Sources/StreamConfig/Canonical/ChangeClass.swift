/// What it takes to move a running source from one config to another.
public enum ChangeClass: Sendable, Hashable {
    /// Nothing semantic changed (formatting, comments, key order, YAML vs JSON).
    case none
    /// Applied to the running stream in place (intervals, sizes, rate limit, cache TTL,
    /// timeout, retries, topic, priority, dlq_topic). Lists every changed field path.
    case hot([String])
    /// Needs a new connector, started make-before-break (source_type, ingestion.mode,
    /// connector settings). Lists every changed field path, hot ones included.
    case restart([String])
    /// `enabled` went from false to true: start the stream with the new config.
    case enable
    /// `enabled` went from true to false: stop the stream.
    case disable

    /// The changed paths for `.hot` and `.restart`, empty otherwise.
    public var fields: [String] {
        switch self {
        case .hot(let f), .restart(let f): return f
        default: return []
        }
    }

    /// Field paths whose change needs a new connector: these exactly, or anything under them.
    public static let restartPaths: [String] = ["source_type", "ingestion.mode", "connector"]

    public static func requiresRestart(_ path: String) -> Bool {
        restartPaths.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }
    }
}

/// Classifies the move from `old` to `new` (see `ChangeClass`).
public func classify(_ old: SourceConfig, _ new: SourceConfig) -> ChangeClass {
    if old.enabled != new.enabled { return new.enabled ? .enable : .disable }
    let paths = new.changes(from: old).map(\.path)
    if paths.isEmpty { return .none }
    return paths.contains(where: ChangeClass.requiresRestart) ? .restart(paths) : .hot(paths)
}

/// One changed leaf of the canonical form, for `diff` (`~ id (path: old → new, ...)`).
public struct FieldChange: Sendable, Hashable, CustomStringConvertible {
    /// Dotted path in the canonical form: `ingestion.buffer_size`, `connector.headers.Accept`.
    public var path: String
    /// nil when the field is absent on that side (an optional unset, a connector key added).
    public var oldValue: ConfigValue?
    public var newValue: ConfigValue?

    public init(path: String, oldValue: ConfigValue?, newValue: ConfigValue?) {
        self.path = path
        self.oldValue = oldValue
        self.newValue = newValue
    }

    /// Canonical JSON of the old value, or `null` when absent.
    public var oldJSON: String { oldValue.map(CanonicalJSON.encode) ?? "null" }
    public var newJSON: String { newValue.map(CanonicalJSON.encode) ?? "null" }

    /// `path: old → new`, as `diff` prints it.
    public var description: String { "\(path): \(oldJSON) → \(newJSON)" }
}

extension SourceConfig {
    /// Every field that differs from `old`, by path, sorted. Mappings are compared key by key
    /// (so one changed header is one change); lists and scalars as wholes.
    public func changes(from old: SourceConfig) -> [FieldChange] {
        var out: [FieldChange] = []
        Self.diff(old.canonicalValue, canonicalValue, path: "", into: &out)
        return out.sorted { $0.path < $1.path }
    }

    private static func diff(_ a: ConfigValue?, _ b: ConfigValue?, path: String, into out: inout [FieldChange]) {
        if case .object(let oa)? = a, case .object(let ob)? = b {
            for key in Set(oa.keys).union(ob.keys) {
                diff(oa[key], ob[key], path: joinPath(path, key), into: &out)
            }
            return
        }
        if a == b { return }
        // An empty connector is the same as no connector keys: report the keys themselves.
        if case .object(let ob)? = b, a == nil, !path.isEmpty {
            for (key, value) in ob { diff(nil, value, path: joinPath(path, key), into: &out) }
            if !ob.isEmpty { return }
        }
        if case .object(let oa)? = a, b == nil, !path.isEmpty {
            for (key, value) in oa { diff(value, nil, path: joinPath(path, key), into: &out) }
            if !oa.isEmpty { return }
        }
        out.append(FieldChange(path: path, oldValue: a, newValue: b))
    }
}
