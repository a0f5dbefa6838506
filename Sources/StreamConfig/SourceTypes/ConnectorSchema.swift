/// The shape of a source type's `connector:` settings: which keys exist, their types and
/// allowed values, which are required, plus a check for rules across keys.
///
/// Each source type's `SourceTypeSpec` has one, so the config validates a type's settings
/// without knowing the type.
public struct ConnectorSchema: Sendable {
    public var summary: String
    public var settings: [String: SettingSpec]
    public var required: Set<String>
    /// Accept keys not in `settings` (for types that pass settings through).
    public var allowsAdditionalSettings: Bool
    /// Rules across keys (`station` needed when `kind: observations`, ...). Runs after the
    /// per-key checks, on the settings as written.
    public var check: (@Sendable (ConfigObject) -> [ConnectorIssue])?

    public init(summary: String = "",
                settings: [String: SettingSpec],
                required: Set<String> = [],
                allowsAdditionalSettings: Bool = false,
                check: (@Sendable (ConfigObject) -> [ConnectorIssue])? = nil) {
        self.summary = summary
        self.settings = settings
        self.required = required
        self.allowsAdditionalSettings = allowsAdditionalSettings
        self.check = check
    }

    /// Every problem with `object` as this type's settings. Issue keys are relative to the
    /// `connector:` block (`area`, `headers.Authorization`).
    public func validate(_ object: ConfigObject) -> [ConnectorIssue] {
        var issues: [ConnectorIssue] = []
        for key in required.sorted() where object[key] == nil || object[key]?.isNull == true {
            issues.append(.error("missing required setting '\(key)'", key: nil))
        }
        for (key, value) in object {
            guard let spec = settings[key] else {
                if !allowsAdditionalSettings {
                    let known = settings.keys.sorted()
                    let hint = KeySuggestion.hint(for: key, in: known)
                    let list = known.isEmpty ? "this type has no settings" : "known settings: \(known.joined(separator: ", "))"
                    issues.append(ConnectorIssue(severity: .error, key: key,
                                                 message: "unknown setting '\(key)' (\(list))\(hint)",
                                                 isUnknownKey: true))
                }
                continue
            }
            issues += spec.validate(value, key: key)
        }
        if let check { issues += check(object) }
        return issues
    }
}

/// One connector problem; `key` says where (nil = the `connector:` block itself).
public struct ConnectorIssue: Sendable, Hashable {
    public var severity: Severity
    public var key: String?
    public var message: String
    /// Unknown keys follow the caller's `UnknownKeyPolicy` instead of `severity`.
    public var isUnknownKey: Bool

    public init(severity: Severity, key: String?, message: String, isUnknownKey: Bool = false) {
        self.severity = severity
        self.key = key
        self.message = message
        self.isUnknownKey = isUnknownKey
    }

    public static func error(_ message: String, key: String?) -> ConnectorIssue {
        ConnectorIssue(severity: .error, key: key, message: message)
    }

    public static func warning(_ message: String, key: String?) -> ConnectorIssue {
        ConnectorIssue(severity: .warning, key: key, message: message)
    }
}

/// The value types a setting can take.
public enum SettingType: String, Sendable, Hashable {
    case string, integer, number, boolean
    /// A mapping of strings to strings (HTTP headers).
    case stringMap = "string map"
    case list, object
    /// Anything but null (a request body: text or JSON).
    case any

    var article: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "true or false"
        case .stringMap: return "a mapping of strings"
        case .list: return "a list"
        case .object: return "a mapping"
        case .any: return "a value"
        }
    }
}

/// A setting whose value is something the operator fetches or opens.
public enum SettingReads: String, Sendable, Hashable {
    /// A URL (`url`): its scheme and host are held to `url_schemes` and `hosts`.
    case url
    /// A file path or glob (`path`): held to `file_roots`.
    case filePath
}

/// One setting: its type, and optionally its allowed words, numeric range, secrecy.
public struct SettingSpec: Sendable, Hashable {
    public var type: SettingType
    public var summary: String
    /// For strings: the only accepted values.
    public var allowedValues: [String]?
    public var minimum: Double?
    public var maximum: Double?
    /// For numbers: the setting's range with its unit, used in messages (sets `minimum`
    /// and `maximum` too).
    public var bound: NumericBound?
    /// A secret should come from the environment; a literal value draws a warning.
    public var secret: Bool
    /// What the value makes the operator read, if anything: held to `manager.source_access`.
    public var reads: SettingReads?

    public init(_ type: SettingType, _ summary: String = "", allowedValues: [String]? = nil,
                minimum: Double? = nil, maximum: Double? = nil, secret: Bool = false, reads: SettingReads? = nil) {
        self.type = type
        self.summary = summary
        self.allowedValues = allowedValues
        self.minimum = minimum
        self.maximum = maximum
        self.secret = secret
        self.reads = reads
    }

    /// A numeric setting whose range is `bound`.
    public init(_ type: SettingType, _ summary: String = "", bound: NumericBound) {
        self.init(type, summary, minimum: bound.range.lowerBound, maximum: bound.range.upperBound)
        self.bound = bound
    }

    func validate(_ value: ConfigValue, key: String) -> [ConnectorIssue] {
        if let problem = numberProblem(value) { return [.error(problem, key: key)] }
        guard matchesType(value) else {
            return [.error("expected \(type.article), got \(value.kindDescription)", key: key)]
        }
        var issues: [ConnectorIssue] = []
        if let allowedValues, let s = value.stringValue, !allowedValues.contains(s) {
            let hint = KeySuggestion.hint(for: s, in: allowedValues)
            issues.append(.error("unknown value '\(s)'; allowed: \(allowedValues.joined(separator: ", "))\(hint)", key: key))
        }
        if let n = value.doubleValue, type == .integer || type == .number {
            if let bound, !bound.contains(n) {
                issues.append(.error(bound.message(got: value.intValue.map(String.init) ?? NumericBound.format(n)), key: key))
            } else if bound == nil {
                if let minimum, n < minimum { issues.append(.error("must be at least \(CanonicalJSON.number(minimum)), got \(value)", key: key)) }
                if let maximum, n > maximum { issues.append(.error("must be at most \(CanonicalJSON.number(maximum)), got \(value)", key: key)) }
            }
        }
        if case .stringMap = type, case .object(let object) = value {
            for (k, v) in object where v.stringValue == nil {
                issues.append(.error("expected a string, got \(v.kindDescription)", key: "\(key).\(k)"))
            }
        }
        if secret, let s = value.stringValue, !s.isEmpty, !EnvReference.containsReference(s) {
            issues.append(.warning("looks like a literal secret; reference the environment instead, e.g. ${\(key.uppercased())}", key: key))
        }
        return issues
    }

    /// Numbers no numeric setting can take, said plainly rather than as a type mismatch: NaN
    /// and infinities (possible in configs built in code), and whole numbers too large for
    /// an integer setting.
    private func numberProblem(_ value: ConfigValue) -> String? {
        guard type == .integer || type == .number, case .double(let d) = value else { return nil }
        if !d.isFinite { return bound?.message(got: d) ?? "expected a finite number, got \(NumericBound.format(d))" }
        if type == .integer, d.rounded(.towardZero) == d, ConfigValue.exactInt(d) == nil {
            return bound?.message(got: d) ?? "expected an integer, got a number out of range (\(NumericBound.format(d)))"
        }
        return nil
    }

    private func matchesType(_ value: ConfigValue) -> Bool {
        switch (type, value) {
        case (.string, .string), (.boolean, .bool), (.list, .array), (.object, .object), (.stringMap, .object):
            return true
        case (.integer, _): return value.intValue != nil
        case (.number, .int), (.number, .double): return true
        case (.any, _): return !value.isNull
        default: return false
        }
    }
}
