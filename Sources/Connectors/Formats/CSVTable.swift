import Foundation
import StreamConfig

/// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks. Shared by the
/// `file` type, `http_json` with `format: csv` and `nasa_firms`.
public enum CSVTable {
    /// Splits text into rows of fields. A trailing line break does not make an empty row.
    public static func rows(_ text: Substring) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var fieldStarted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    let after = next()
                    if after == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = after }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty:
                inQuotes = true
                fieldStarted = true
            case ",":
                row.append(field)
                field = ""
                fieldStarted = true
            case "\r":
                continue
            case "\n":
                row.append(field)
                if !(row.count == 1 && row[0].isEmpty && !fieldStarted) { rows.append(row) }
                row = []
                field = ""
                fieldStarted = false
            default:
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
        }
        if fieldStarted || !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }

    /// One JSON object per data row, keyed by the header row. Values that read as JSON numbers
    /// become numbers; everything else stays text; a row shorter than the header gets nulls.
    public static func objects(header: [String], rows: ArraySlice<[String]>) -> [[String: JSONScalar]] {
        rows.map { row in
            var object: [String: JSONScalar] = [:]
            for (i, name) in header.enumerated() {
                object[name] = i < row.count ? JSONScalar(csvField: row[i]) : .null
            }
            return object
        }
    }
}

/// A CSV field as a JSON value.
public enum JSONScalar: Sendable, Equatable {
    case string(String)
    case number(String)
    case null

    init(csvField text: String) {
        self = JSONScalar.isNumber(text) ? .number(text) : .string(text)
    }

    /// JSON's number grammar (so the text can be written into JSON unchanged).
    static func isNumber(_ text: String) -> Bool {
        var s = Substring(text)
        if s.hasPrefix("-") { s = s.dropFirst() }
        guard let first = s.first, first.isASCII, first.isNumber else { return false }
        if first == "0", s.count > 1, s.dropFirst().first?.isNumber == true { return false }
        var seenDot = false, seenExp = false, lastWasDigit = false
        var previous: Character = " "
        for c in s {
            if c.isASCII && c.isNumber { lastWasDigit = true }
            else if c == "." && !seenDot && !seenExp && lastWasDigit { seenDot = true; lastWasDigit = false }
            else if (c == "e" || c == "E") && !seenExp && lastWasDigit { seenExp = true; lastWasDigit = false }
            else if (c == "+" || c == "-") && (previous == "e" || previous == "E") { lastWasDigit = false }
            else { return false }
            previous = c
        }
        return lastWasDigit
    }
}

extension Dictionary where Key == String, Value == JSONScalar {
    /// Compact JSON with keys in `order` (the CSV header order), so output is stable.
    public func jsonBytes(order: [String]) -> [UInt8] {
        let members = order.compactMap { key -> String? in
            guard let value = self[key] else { return nil }
            switch value {
            case .string(let s): return CanonicalJSON.quoted(key) + ":" + CanonicalJSON.quoted(s)
            case .number(let n): return CanonicalJSON.quoted(key) + ":" + n
            case .null: return CanonicalJSON.quoted(key) + ":null"
            }
        }
        return Array(("{" + members.joined(separator: ",") + "}").utf8)
    }
}
