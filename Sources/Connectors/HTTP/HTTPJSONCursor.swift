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

    var text: String {
        String(decoding: (try? SortedJSON.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
