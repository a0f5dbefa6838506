import Foundation

/// Where an HTTP source is: the largest `cursor_field` value emitted, the validators of the last
/// response (for conditional requests), and the next page's URL while paging. Stored as JSON.
struct HTTPJSONCursor: Codable, Equatable {
    var after: CursorValue?
    var etag: String?
    var lastModified: String?
    /// Set while a paginated listing is being read across fetches.
    var nextURL: String?

    init(after: CursorValue? = nil, etag: String? = nil, lastModified: String? = nil, nextURL: String? = nil) {
        self.after = after
        self.etag = etag
        self.lastModified = lastModified
        self.nextURL = nextURL
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
