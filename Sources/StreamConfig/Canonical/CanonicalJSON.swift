import Foundation

/// One spelling per value, so equal configs hash equally however they were written.
///
/// - object keys sorted by their UTF-8 bytes, no whitespace;
/// - strings in Unicode NFC (Swift compares strings by canonical equivalence, so two spellings
///   Swift calls equal must encode equally), escaping only `"`, `\` and control characters;
/// - integral numbers without a fraction (`30`, never `30.0`; doubles up to 2^53), other numbers
///   in Swift's shortest round-trip form (`0.1`, `1e-05`).
public enum CanonicalJSON {
    public static func encode(_ value: ConfigValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    public static func encode(_ object: ConfigObject) -> String {
        encode(.object(object))
    }

    static func write(_ value: ConfigValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += number(d)
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            let sorted = object.entries
                .map { (key: normalized($0.key), value: $0.value) }
                .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (i, entry) in sorted.enumerated() {
                if i > 0 { out += "," }
                writeString(entry.key, to: &out)
                out += ":"
                write(entry.value, to: &out)
            }
            out += "}"
        }
    }

    /// Non-finite numbers have no JSON spelling; validation rejects them, and `null` keeps the
    /// encoder total for values built in code.
    public static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if let i = ConfigValue.exactInt(d) { return String(i) }
        return "\(d)"
    }

    /// ASCII text is its own NFC form: the (costly) normalisation is only for the rest.
    static func normalized(_ s: String) -> String {
        s.utf8.allSatisfy { $0 < 0x80 } ? s : s.precomposedStringWithCanonicalMapping
    }

    static func writeString(_ s: String, to out: inout String) {
        out += quoted(normalized(s))
    }

    /// `s` as a JSON string literal, as written (no Unicode normalisation: connectors use it
    /// for record data, which must reach Kafka unchanged).
    public static func quoted(_ s: String) -> String {
        // Most strings (keys, topics, ids) need no escape: one copy instead of one append a character.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) { return "\"" + s + "\"" }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + String(format: "%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
