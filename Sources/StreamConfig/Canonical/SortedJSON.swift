import Foundation

/// JSON with sorted keys and unescaped slashes, so one value always gives the same bytes: cursors,
/// heartbeats, offsets records, `/status`, log lines and record values are written through it.
/// (A config's canonical form is `CanonicalJSON`, which also normalises numbers and strings.)
public enum SortedJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// A `JSONSerialization` value (dictionaries, arrays, scalars, `NSNull`) as bytes.
    public static func data(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
    }
}
