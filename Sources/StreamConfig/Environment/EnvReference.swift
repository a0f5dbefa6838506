/// `${NAME}` and `${NAME:-default}` references to the environment, for secrets.
///
/// Configs store, hash and print references as written; they are resolved only where a
/// value is used (the connector, the producer), so a secret never enters the config topic,
/// the status topic or a hash. `$${` writes a literal `${`.
public struct EnvReference: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// The text after `:-`, used when the variable is unset or empty (as in the shell).
    public var defaultValue: String?

    public init(name: String, defaultValue: String? = nil) {
        self.name = name
        self.defaultValue = defaultValue
    }

    /// The reference as it is written.
    public var description: String {
        defaultValue.map { "${\(name):-\($0)}" } ?? "${\(name)}"
    }

    /// Every reference in `string`, in order.
    public static func references(in string: String) throws(EnvReferenceError) -> [EnvReference] {
        var found: [EnvReference] = []
        try scan(string) { piece in
            if case .reference(let r) = piece { found.append(r) }
        }
        return found
    }

    /// Whether `string` holds at least one reference (valid or not).
    public static func containsReference(_ string: String) -> Bool {
        string.contains("${")
    }

    /// `string` with each reference replaced by its value. Throws naming the first variable
    /// that is unset and has no default.
    public static func resolve(_ string: String, environment: [String: String]) throws(EnvReferenceError) -> String {
        guard string.contains("$") else { return string }
        var out = ""
        try scan(string) { (piece) throws(EnvReferenceError) in
            switch piece {
            case .text(let t): out += t
            case .reference(let r):
                if let value = environment[r.name], !(value.isEmpty && r.defaultValue != nil) {
                    out += value
                } else if let fallback = r.defaultValue {
                    out += fallback
                } else {
                    throw .missingVariable(name: r.name)
                }
            }
        }
        return out
    }

    /// Every string inside `value` resolved (connector settings before a connector starts).
    public static func resolve(_ value: ConfigValue, environment: [String: String]) throws(EnvReferenceError) -> ConfigValue {
        switch value {
        case .string(let s): return .string(try resolve(s, environment: environment))
        case .array(let items):
            var resolved: [ConfigValue] = []
            for item in items { resolved.append(try resolve(item, environment: environment)) }
            return .array(resolved)
        case .object(let object):
            return .object(try resolve(object, environment: environment))
        default: return value
        }
    }

    public static func resolve(_ object: ConfigObject, environment: [String: String]) throws(EnvReferenceError) -> ConfigObject {
        var resolved = ConfigObject()
        for (key, value) in object { resolved[key] = try resolve(value, environment: environment) }
        return resolved
    }

    /// The names of referenced variables that are unset and have no default.
    public static func missingVariables(in string: String, environment: [String: String]) -> [String] {
        guard let refs = try? references(in: string) else { return [] }
        return refs.filter { $0.defaultValue == nil && environment[$0.name] == nil }.map(\.name)
    }

    enum Piece {
        case text(String)
        case reference(EnvReference)
    }

    /// Splits `string` into literal text and references.
    static func scan(_ string: String, _ emit: (Piece) throws(EnvReferenceError) -> Void) throws(EnvReferenceError) {
        let chars = Array(string)
        var i = 0
        var text = ""
        while i < chars.count {
            if chars[i] == "$", i + 1 < chars.count {
                if chars[i + 1] == "$", i + 2 < chars.count, chars[i + 2] == "{" {
                    text += "${"  // `$${` is an escaped, literal `${`
                    i += 3
                    continue
                }
                if chars[i + 1] == "{" {
                    guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
                        throw .malformed(reference: String(chars[i...]), reason: "no closing '}'")
                    }
                    let body = String(chars[(i + 2)..<close])
                    let reference = try parseBody(body, written: String(chars[i...close]))
                    if !text.isEmpty { try emit(.text(text)); text = "" }
                    try emit(.reference(reference))
                    i = close + 1
                    continue
                }
            }
            text.append(chars[i])
            i += 1
        }
        if !text.isEmpty { try emit(.text(text)) }
    }

    private static func parseBody(_ body: String, written: String) throws(EnvReferenceError) -> EnvReference {
        var name = body
        var fallback: String?
        if let sep = body.range(of: ":-") {
            name = String(body[..<sep.lowerBound])
            fallback = String(body[sep.upperBound...])
        }
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
              name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic)
                  || ("0"..."9").contains($0) }) else {
            throw .malformed(reference: written,
                             reason: "a variable name is letters, digits and '_', not starting with a digit")
        }
        return EnvReference(name: name, defaultValue: fallback)
    }
}

public enum EnvReferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The variable is unset and the reference has no default.
    case missingVariable(name: String)
    case malformed(reference: String, reason: String)

    public var description: String {
        switch self {
        case .missingVariable(let name):
            return "environment variable \(name) is not set (referenced as ${\(name)})"
        case .malformed(let reference, let reason):
            return "malformed environment reference '\(reference)': \(reason)"
        }
    }
}
