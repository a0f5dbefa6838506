import Foundation
import Pipeline

/// Scalars of a parsed JSON document as the HTTP source types use them: keys and cursors as text,
/// event times as epoch milliseconds. (Paths into the document are `JSONPath`s.)
enum JSONValues {
    /// A scalar as text (keys, cursors): strings as they are, numbers without a trailing `.0`.
    static func text(_ value: Any?) -> String? {
        switch value {
        case let s as String: return s
        case let n as NSNumber:
            if JSONValues.isBool(n) { return n.boolValue ? "true" : "false" }
            let d = n.doubleValue
            return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        default: return nil
        }
    }

    /// JSONSerialization gives booleans as NSNumber; their Objective-C type is `c` (char).
    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    /// An event time in epoch milliseconds: RFC 3339 text, or a number of seconds (or of
    /// milliseconds when it is too large to be seconds).
    static func timestampMilliseconds(_ value: Any?) -> Int64? {
        switch value {
        case let s as String:
            if let date = RFC3339.date(s) { return Int64(date.timeIntervalSince1970 * 1000) }
            return Double(s).flatMap { timestampMilliseconds(NSNumber(value: $0)) }
        case let n as NSNumber:
            // An API's number, whatever it is (NaN, 1e300): never a value that traps.
            let d = n.doubleValue
            guard d.isFinite else { return nil }
            return d > 1e11 ? Saturating.int64(d) : Saturating.int64(d * 1000)
        default: return nil
        }
    }
}
