/// A parsed YAML/JSON document with a position on every node, independent of Yams' types.
///
/// Scalars are resolved with YAML 1.2's core schema rather than YAML 1.1's: `NO`, `on`,
/// `yes` stay strings (a state code or a word is not a boolean) and dates stay strings.
indirect enum DocumentNode: Sendable {
    case scalar(Scalar)
    case sequence([DocumentNode], Position)
    case mapping([Entry], Position)

    struct Scalar: Sendable {
        /// The text as written (after YAML unescaping).
        var text: String
        /// The typed value (a number, a boolean, null or a string).
        var value: ConfigValue
        var position: Position
    }

    struct Entry: Sendable {
        var key: String
        var keyPosition: Position
        var value: DocumentNode
    }

    var position: Position {
        switch self {
        case .scalar(let s): return s.position
        case .sequence(_, let p), .mapping(_, let p): return p
        }
    }

    /// "a string", "a list", ... for type-error messages.
    var kindDescription: String {
        switch self {
        case .scalar(let s): return s.value.kindDescription
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    var isNull: Bool {
        if case .scalar(let s) = self, case .null = s.value { return true }
        return false
    }
}

/// YAML 1.2 core-schema resolution of untagged plain scalars.
enum ScalarResolver {
    static func resolvePlain(_ text: String) -> ConfigValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        if let i = integer(text) { return .int(i) }
        if isFloat(text), let d = Double(text) { return .double(d) }
        if isDecimalInteger(text), let d = Double(text) { return .double(d) }  // too big for Int
        return .string(text)
    }

    static func integer(_ text: String) -> Int? {
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        guard isDecimalInteger(text) else { return nil }
        return Int(text)
    }

    private static func isDecimalInteger(_ text: String) -> Bool {
        var s = Substring(text)
        if s.first == "-" || s.first == "+" { s = s.dropFirst() }
        return !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isFloat(_ text: String) -> Bool {
        var chars = Array(text.utf8)[...]
        if let f = chars.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { chars = chars.dropFirst() }
        func digits() -> Int {
            var n = 0
            while let c = chars.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { chars = chars.dropFirst(); n += 1 }
            return n
        }
        let whole = digits()
        var fraction = 0
        if chars.first == UInt8(ascii: ".") {
            chars = chars.dropFirst()
            fraction = digits()
        }
        guard whole > 0 || fraction > 0 else { return false }
        if let e = chars.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            chars = chars.dropFirst()
            if let s = chars.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") { chars = chars.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return chars.isEmpty
    }
}
