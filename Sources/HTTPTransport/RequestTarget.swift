import CCurl

/// Where a transfer is about to go, as libcurl itself parses the URL (so what is checked is
/// what is connected to): the request's own URL, and each redirect before it is followed.
public struct RequestTarget: Sendable, Equatable {
    /// The URL as given (may hold secrets: redact before showing it).
    public var url: String
    /// Lower-case.
    public var scheme: String
    /// Lower-case, an IPv6 address without brackets; empty for `file:///path`.
    public var host: String
    /// As written; nil when the URL has none (the scheme's default applies).
    public var port: Int?
    /// Percent-decoded, dot segments removed (what `file://` opens).
    public var path: String
    /// A server's redirect rather than the URL the caller asked for.
    public var isRedirect: Bool

    public init(url: String, scheme: String, host: String, port: Int?, path: String, isRedirect: Bool) {
        self.url = url
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.isRedirect = isRedirect
    }

    /// nil when libcurl cannot parse `url` (the transfer would fail with curl error 3 anyway).
    public init?(parsing url: String, isRedirect: Bool = false) {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, UInt32(CURLU_NON_SUPPORT_SCHEME)) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart, _ flags: Int32 = 0) -> String? {
            var out: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &out, UInt32(flags)) == CURLUE_OK, let out else { return nil }
            defer { curl_free(out) }
            return String(cString: out)
        }
        guard let scheme = part(CURLUPART_SCHEME) else { return nil }
        var host = (part(CURLUPART_HOST) ?? "").lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(url: url, scheme: scheme.lowercased(), host: host, port: part(CURLUPART_PORT).flatMap { Int($0) },
                  path: part(CURLUPART_PATH, CURLU_URLDECODE) ?? "/", isRedirect: isRedirect)
    }
}

/// Decides whether a transfer may reach a target: nil allows it, a text refuses it and becomes
/// the error's message (it must not quote secrets). Runs on the transfer thread, so it must not block long.
public typealias TargetCheck = @Sendable (RequestTarget) -> String?
