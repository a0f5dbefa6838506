import Foundation

/// A scalar found in a JSON document.
public enum JSONScalar: Sendable, Equatable {
    case string(String)
    /// The number's text as written in the document (so `1.0` stays `1.0`).
    case number(String)
    case bool(Bool)
    case null

    /// The text content rules compare against.
    public var text: String {
        switch self {
        case .string(let s): s
        case .number(let s): s
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        }
    }
}

/// A dotted path into a JSON document (`properties.confidence`, `items.0.id`): names walk
/// objects, a number indexes an array, `$` (or an empty path) is the whole document. The one path
/// reader of the package, over either form a document takes here:
/// - `scalar(in:)` reads one field straight from the bytes, without building a tree, skipping values
///   off the path. Content rules run it per record, so it allocates only for the value it returns
///   (and for keys with escapes). Malformed input yields nil: a record whose field cannot be read
///   simply does not match.
/// - `value(in:)` walks a document `JSONSerialization` already parsed (HTTP responses).
public struct JSONPath: Sendable, Equatable {
    public let components: [String]

    public init(_ text: String?) {
        var parts = (text ?? "").split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "$" { parts.removeFirst() }
        if parts == [""] { parts = [] }
        components = parts
    }

    public var isRoot: Bool { components.isEmpty }

    public func scalar(in json: [UInt8]) -> JSONScalar? {
        json.withUnsafeBufferPointer { buffer in
            var scanner = Scanner(bytes: buffer)
            return scanner.scalar(at: components)
        }
    }

    /// The value at the path in a parsed document; JSON null reads as nil.
    public func value(in root: Any) -> Any? {
        var current: Any? = root
        for part in components {
            if let object = current as? [String: Any] {
                current = object[part]
            } else if let array = current as? [Any], let i = Int(part), array.indices.contains(i) {
                current = array[i]
            } else {
                return nil
            }
        }
        return current is NSNull ? nil : current
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var current: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipWhitespace() {
            while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 }
        }

        mutating func scalar(at path: [String]) -> JSONScalar? {
            for component in path {
                skipWhitespace()
                switch current {
                case UInt8(ascii: "{"):
                    guard enterMember(named: component) else { return nil }
                case UInt8(ascii: "["):
                    guard let index = Int(component), index >= 0, enterElement(index) else { return nil }
                default:
                    return nil
                }
            }
            skipWhitespace()
            return readScalar()
        }

        /// At `{`: moves to the value of member `name`.
        mutating func enterMember(named name: String) -> Bool {
            i += 1
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { return false }
                guard let matches = readKey(equalTo: name) else { return false }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return false }
                i += 1
                skipWhitespace()
                if matches { return true }
                guard skipValue() else { return false }
                skipWhitespace()
                guard current == UInt8(ascii: ",") else { return false }
                i += 1
            }
        }

        /// At `[`: moves to element `index`.
        mutating func enterElement(_ index: Int) -> Bool {
            i += 1
            for _ in 0..<index {
                skipWhitespace()
                guard current != UInt8(ascii: "]"), skipValue() else { return false }
                skipWhitespace()
                guard current == UInt8(ascii: ",") else { return false }
                i += 1
            }
            skipWhitespace()
            return current != nil && current != UInt8(ascii: "]")
        }

        /// At `"`: reads a key and says whether it equals `name`; nil if malformed.
        mutating func readKey(equalTo name: String) -> Bool? {
            guard let (range, escaped) = skipString() else { return nil }
            if !escaped { return UnsafeBufferPointer(rebasing: bytes[range]).elementsEqual(name.utf8) }
            return Self.unescape(UnsafeBufferPointer(rebasing: bytes[range])) == name
        }

        /// At `"`: moves past the closing quote; returns the content range and whether it has escapes.
        mutating func skipString() -> (Range<Int>, Bool)? {
            i += 1
            let start = i
            var escaped = false
            while let b = current {
                if b == UInt8(ascii: "\\") {
                    escaped = true
                    i += 2
                } else if b == UInt8(ascii: "\"") {
                    let range = start..<i
                    i += 1
                    return (range, escaped)
                } else {
                    i += 1
                }
            }
            return nil
        }

        /// Moves past one value of any kind. Nested containers are skipped by depth counting
        /// (iteratively, so deep documents cannot overflow the stack).
        mutating func skipValue() -> Bool {
            switch current {
            case nil:
                return false
            case UInt8(ascii: "\""):
                return skipString() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while let b = current {
                    switch b {
                    case UInt8(ascii: "\""):
                        guard skipString() != nil else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            return true
                        }
                    default:
                        break
                    }
                    i += 1
                }
                return false
            default:
                let start = i
                while let b = current, !Self.isDelimiter(b) { i += 1 }
                return i > start
            }
        }

        mutating func readScalar() -> JSONScalar? {
            guard let b = current else { return nil }
            switch b {
            case UInt8(ascii: "\""):
                guard let (range, escaped) = skipString() else { return nil }
                let content = UnsafeBufferPointer(rebasing: bytes[range])
                return .string(escaped ? Self.unescape(content) : String(decoding: content, as: UTF8.self))
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return nil
            default:
                let start = i
                while let c = current, !Self.isDelimiter(c) { i += 1 }
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                switch text {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                case "": return nil
                default:
                    guard let first = text.utf8.first,
                          first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
                    else { return nil }
                    return .number(text)
                }
            }
        }

        static func isDelimiter(_ b: UInt8) -> Bool {
            b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]")
                || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
        }

        /// Decodes a JSON string body (between the quotes), including `\u` surrogate pairs.
        static func unescape(_ s: UnsafeBufferPointer<UInt8>) -> String {
            var out = String.UnicodeScalarView()
            var utf8: [UInt8] = []
            var k = 0
            func flush() {
                if !utf8.isEmpty {
                    out.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                    utf8.removeAll(keepingCapacity: true)
                }
            }
            func hex4(_ at: Int) -> UInt32? {
                guard at + 4 <= s.count else { return nil }
                var v: UInt32 = 0
                for j in at..<(at + 4) {
                    guard let d = Character(Unicode.Scalar(s[j])).hexDigitValue else { return nil }
                    v = v << 4 | UInt32(d)
                }
                return v
            }
            while k < s.count {
                let b = s[k]
                guard b == UInt8(ascii: "\\"), k + 1 < s.count else {
                    utf8.append(b)
                    k += 1
                    continue
                }
                let e = s[k + 1]
                k += 2
                switch e {
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "u"):
                    guard var v = hex4(k) else { continue }
                    k += 4
                    if (0xD800..<0xDC00).contains(v), k + 6 <= s.count, s[k] == UInt8(ascii: "\\"),
                       s[k + 1] == UInt8(ascii: "u"), let low = hex4(k + 2), (0xDC00..<0xE000).contains(low) {
                        v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                        k += 6
                    }
                    flush()
                    out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                default: utf8.append(e)  // \" \\ \/ and anything unknown: the character itself
                }
            }
            flush()
            return String(out)
        }
    }
}
