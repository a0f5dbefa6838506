import Foundation
import StreamConfig

/// Where an HTTP source is: the largest `cursor_field` value emitted, the validators of the last
/// response (for conditional requests), and the next page's URL while paging. Stored as JSON.
struct HTTPJSONCursor: Codable, Equatable {
    var after: CursorValue?
    var etag: String?
    var lastModified: String?
    /// Set while a paginated listing is being read across fetches.
    var nextURL: String?
    /// Presets that dedupe what a feed repeats: alert id → version (NWS alerts).
    var seen: [String: String]?
    /// FIRMS: acquisition date → the rows sent of that date (`FIRMSSeenWindow`).
    var seenByDate: [String: String]?
    /// What the listing being paged through has shown so far; becomes `seen` after its last page.
    var pending: [String: String]?

    init(after: CursorValue? = nil, etag: String? = nil, lastModified: String? = nil, nextURL: String? = nil,
         seen: [String: String]? = nil) {
        self.after = after
        self.etag = etag
        self.lastModified = lastModified
        self.nextURL = nextURL
        self.seen = seen
    }

    init(_ text: String?) {
        guard let text, let data = text.data(using: .utf8),
              let value = try? JSONDecoder().decode(HTTPJSONCursor.self, from: data) else {
            self.init()
            return
        }
        self = value
    }

    static let shape = """
        an HTTP cursor: an object with any of "after" (the largest cursor_field value emitted: a number or a string), \
        "etag", "lastModified", "nextURL" (strings), "seen", "pending" (objects of id → version strings), \
        "seenByDate" (FIRMS: YYYY-MM-DD → base64 of 6-byte row hashes), e.g. {"after": "2026-11-29T10:00:00Z"}
        """

    /// A cursor written as JSON (`offsets set`): only this type's keys, each of its kind.
    init(json value: Any) throws(CursorShapeError) {
        guard let object = value as? [String: Any] else {
            throw CursorShapeError("got \(CursorJSON.describe(value))", expected: Self.shape)
        }
        func fail(_ problem: String) -> CursorShapeError { CursorShapeError(problem, expected: Self.shape) }
        func string(_ key: String) throws(CursorShapeError) -> String? {
            switch object[key] {
            case nil, is NSNull: return nil
            case let s as String: return s
            case let other?: throw fail("'\(key)' must be a string, got \(CursorJSON.describe(other))")
            }
        }
        func strings(_ key: String) throws(CursorShapeError) -> [String: String]? {
            switch object[key] {
            case nil, is NSNull: return nil
            case let map as [String: Any]:
                var out: [String: String] = [:]
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("'\(key)' values must be strings, '\(k)' is \(CursorJSON.describe(v))") }
                    out[k] = s
                }
                return out
            case let other?: throw fail("'\(key)' must be an object of strings, got \(CursorJSON.describe(other))")
            }
        }
        let known: Set<String> = ["after", "etag", "lastModified", "nextURL", "seen", "seenByDate", "pending"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) { throw fail("unknown key '\(unknown)'") }
        self.init()
        switch object["after"] {
        case nil, is NSNull: after = nil
        case let n as NSNumber where !CursorJSON.isBool(n): after = .number(n.doubleValue)
        case let s as String: after = .text(s)
        case let other?: throw fail("'after' must be a number or a string, got \(CursorJSON.describe(other))")
        }
        etag = try string("etag")
        lastModified = try string("lastModified")
        nextURL = try string("nextURL")
        seen = try strings("seen")
        pending = try strings("pending")
        seenByDate = try strings("seenByDate")
        for (date, encoded) in (seenByDate ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let problem = FIRMSSeenWindow.problem(date: date, encoded: encoded) { throw fail(problem) }
        }
    }

    var text: String {
        String(decoding: (try? SortedJSON.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
