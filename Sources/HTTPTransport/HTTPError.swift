import CCurl

/// A failed transfer or a non-2xx status. Its text holds only redacted URLs and messages.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// libcurl failed; the associated value is the `CURLcode`.
        case transport(curlCode: Int)
        /// The server answered with a non-2xx status.
        case status(Int)
        /// The caller's task was cancelled.
        case cancelled
        /// The request's `targetCheck` refused the URL or a redirect; nothing was sent there.
        case refused
    }

    public let kind: Kind
    /// `curl error 7: Failed to connect to …` for transport errors, `HTTP 404` for statuses.
    public let message: String
    public let method: String
    /// Redacted.
    public let url: String
    /// The server's `Retry-After`, as a delay from when the error was made.
    public let retryAfter: Duration?
    /// The start of the response body (status errors only): redacted, escaped, at most 200 bytes.
    public let bodyExcerpt: String?

    public var curlCode: Int? {
        if case .transport(let code) = kind { return code }
        return nil
    }

    public var status: Int? {
        if case .status(let status) = kind { return status }
        return nil
    }

    public var isRetriable: Bool { Self.isRetriable(kind) }

    public var description: String {
        var text = "\(message) (\(method) \(url))"
        if let bodyExcerpt, !bodyExcerpt.isEmpty { text += ": \(bodyExcerpt)" }
        return text
    }

    init(kind: Kind, message: String, method: String, url: String, retryAfter: Duration? = nil,
         bodyExcerpt: String? = nil) {
        self.kind = kind
        self.message = message
        self.method = method
        self.url = url
        self.retryAfter = retryAfter
        self.bodyExcerpt = bodyExcerpt
    }

    /// The error for a non-2xx response (whatever its status; callers decide what is an error).
    public static func status(_ response: HTTPResponse, method: String = "GET",
                              redaction: Redaction = Redaction()) -> HTTPError {
        let redaction = redaction.adding(secretsIn: response.url)
        return HTTPError(
            kind: .status(response.status),
            message: "HTTP \(response.status)",
            method: method,
            url: redaction.url(response.url),
            retryAfter: response.header("Retry-After").flatMap { RetryAfter.parse($0) },
            bodyExcerpt: BodyExcerpt.make(response.body, redaction: redaction))
    }

    /// The one place that decides what is worth retrying: transient network trouble and
    /// statuses that say "later"; never client errors, certificate failures or bad URLs.
    public static func isRetriable(_ kind: Kind) -> Bool {
        switch kind {
        case .cancelled, .refused:
            return false
        case .status(let status):
            return [408, 425, 429, 500, 502, 503, 504].contains(status)
        case .transport(let code):
            return retriableCurlCodes.contains(code)
        }
    }

    private static let retriableCurlCodes: Set<Int> = Set([
        CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT,
        CURLE_OPERATION_TIMEDOUT, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING,
        CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM,
        // A handshake cut short by the network; certificate problems have their own codes (60, 77…).
        CURLE_SSL_CONNECT_ERROR,
    ].map { Int($0.rawValue) })
}
