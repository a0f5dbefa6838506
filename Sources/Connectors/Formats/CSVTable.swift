import Foundation
import StreamConfig

/// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks. Shared by the
/// `file` type, `http_json` with `format: csv` and `nasa_firms`.
public enum CSVTable {
    /// Splits text into rows of fields. A trailing line break does not make an empty row, nor
    /// does a blank line; carriage returns outside quotes are ignored (CRLF files).
    public static func rows(_ text: Substring) -> [[String]] {
        var text = text
        return text.withUTF8 { rows(bytes: $0) }
    }

    /// The parser, over UTF-8 bytes: fields are cut out of the buffer whole (a quoted field with
    /// doubled quotes is the only one copied byte by byte), which is what makes it quick on the
    /// 100,000-row responses FIRMS sends for a large area.
    static func rows(bytes b: UnsafeBufferPointer<UInt8>) -> [[String]] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var rows: [[String]] = []
        var row: [String] = []
        var i = 0
        let n = b.count
        var fieldStarted = false
        while i < n {
            // One field: a quoted part (if it starts with a quote), then plain bytes up to a
            // comma or a line break. Plain bytes after a closing quote are kept, as written.
            var field: [UInt8] = []
            var plainStart = i
            if b[i] == quote {
                fieldStarted = true
                i += 1
                var segment = i
                while i < n {
                    if b[i] == quote {
                        field.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment..<i]))
                        if i + 1 < n, b[i + 1] == quote {  // "" is one quote
                            field.append(quote)
                            i += 2
                            segment = i
                            continue
                        }
                        i += 1
                        segment = -1
                        break
                    }
                    i += 1
                }
                if segment >= 0 { field.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment..<i])) }  // unclosed
                plainStart = i
            }
            var sawReturn = false
            while i < n, b[i] != comma, b[i] != lf {
                if b[i] == cr { sawReturn = true }
                i += 1
            }
            if i > plainStart {
                let plain = UnsafeBufferPointer(rebasing: b[plainStart..<i])
                if sawReturn {
                    field.append(contentsOf: plain.lazy.filter { $0 != cr })
                    fieldStarted = fieldStarted || plain.contains { $0 != cr }
                } else {
                    field.append(contentsOf: plain)
                    fieldStarted = true
                }
            }
            row.append(String(decoding: field, as: UTF8.self))
            if i < n, b[i] == comma {
                fieldStarted = true
                i += 1
                if i == n { row.append("") }  // a trailing comma ends in an empty field
                continue
            }
            // End of a row (a line break or the end of the text).
            if !(row.count == 1 && row[0].isEmpty && !fieldStarted) { rows.append(row) }
            row = []
            fieldStarted = false
            if i < n { i += 1 }
        }
        if !row.isEmpty { rows.append(row) }  // the text ended right after a comma
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
