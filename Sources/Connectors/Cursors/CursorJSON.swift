import Foundation
import StreamConfig

/// A cursor given as JSON text, parsed once for the source types' shape checks.
public enum CursorJSON {
    /// The parsed value (objects, arrays, strings, `NSNumber`s, `NSNull`); any JSON, scalars included.
    public static func parse(_ text: String) throws(CursorShapeError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw CursorShapeError("'\(clipped(text))' is not JSON", expected: "a cursor written as JSON, e.g. 5000 or '{\"file\": \"a.csv\", \"offset\": 0}'")
        }
    }

    /// Compact JSON with sorted keys: how a cursor of a type with no shape of its own is stored.
    public static func text(_ value: Any) -> String {
        String(decoding: (try? SortedJSON.data(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// A stored cursor as the JSON value it stands for: the JSON it is written in (a generator's
    /// `"123"` is the number 123, a file's cursor its object), else the text as a string.
    public static func shown(_ stored: String) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(stored.utf8), options: [.fragmentsAllowed])) ?? stored
    }

    /// A non-negative whole number (not a boolean, not a fraction), exactly.
    static func nonNegativeInteger(_ value: Any) -> UInt64? {
        guard let n = value as? NSNumber, !isBool(n) else { return nil }
        switch String(cString: n.objCType) {
        case "Q", "L", "I", "S", "C": return n.uint64Value
        case "q", "l", "i", "s": return n.int64Value >= 0 ? UInt64(n.int64Value) : nil
        default:
            let d = n.doubleValue
            return d >= 0 && d == d.rounded() ? UInt64(exactly: d) : nil
        }
    }

    /// At most 80 characters of what was given, so a pasted megabyte does not fill the terminal.
    static func clipped(_ text: String) -> String { text.count > 80 ? String(text.prefix(79)) + "…" : text }

    /// JSONSerialization gives booleans as NSNumber; their Objective-C type is `c` (char).
    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    /// What a value is, for error messages ("an object", "the string \"x\"", "-3").
    static func describe(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let s as String: return "the string \(clipped(text(s)))"
        case let n as NSNumber: return isBool(n) ? (n.boolValue ? "true" : "false") : text(n)
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "\(value)"
        }
    }
}
