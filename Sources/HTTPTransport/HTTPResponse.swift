/// A complete response. `send` returns one for every status; `checked()` turns non-2xx into an error.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// In arrival order, names as the server sent them (only the final response after redirects).
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The URL that answered, after redirects. May hold secrets: redact before logging.
    public var url: String

    public init(status: Int, headers: [(String, String)], body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        HTTPHeaderLookup.first(name, in: headers)
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// `self` when 2xx, else an `HTTPError` with the status, the redacted URL and a body excerpt.
    public func checked(redaction: Redaction = Redaction()) throws(HTTPError) -> HTTPResponse {
        if isSuccess { return self }
        throw HTTPError.status(self, redaction: redaction)
    }
}

enum HTTPHeaderLookup {
    static func first(_ name: String, in headers: [(String, String)]) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }
}

/// What a streamed transfer delivers: the head once, then body chunks as they arrive.
/// The stream finishes after the last chunk, or throws an `HTTPError`.
public enum HTTPStreamEvent: Sendable {
    case head(status: Int, headers: [(String, String)])
    case body([UInt8])
}
