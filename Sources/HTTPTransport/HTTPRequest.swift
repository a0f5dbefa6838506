/// One HTTP (or `file://`) request. Plain data, so it can cross to the transfer thread.
///
/// Proxies: libcurl's default is kept, so `http_proxy`, `https_proxy`, `all_proxy` and
/// `no_proxy` from the environment apply (the upper-case forms too, except `HTTP_PROXY`,
/// which libcurl ignores to avoid the CGI "httpoxy" problem).
public struct HTTPRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Time allowed to establish the connection (including TLS); `nil` uses libcurl's 300 s.
    public var connectTimeout: Duration?
    /// Time allowed for the whole transfer, body included (for streams too); `nil` = no limit.
    public var timeout: Duration?
    /// Follows up to `maxRedirects` redirects when set.
    public var followRedirects: Bool
    public var maxRedirects: Int
    /// Sends `Accept-Encoding` with every encoding libcurl supports and decodes the response.
    public var acceptGzip: Bool
    public var tls: TLSOptions
    /// Consulted before the request and before each redirect (which are then followed one by one
    /// here instead of inside libcurl, so that every hop is checked). Headers that carry
    /// credentials are not sent on to another scheme, host or port. nil: no check.
    public var targetCheck: TargetCheck?

    public init(
        url: String,
        method: String = "GET",
        headers: [(String, String)] = [],
        body: [UInt8]? = nil,
        connectTimeout: Duration? = .seconds(10),
        timeout: Duration? = .seconds(60),
        followRedirects: Bool = true,
        maxRedirects: Int = 10,
        acceptGzip: Bool = true,
        tls: TLSOptions = TLSOptions(),
        targetCheck: TargetCheck? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.followRedirects = followRedirects
        self.maxRedirects = maxRedirects
        self.acceptGzip = acceptGzip
        self.tls = tls
        self.targetCheck = targetCheck
    }
}

/// TLS settings. Verification of the peer certificate and host name is on unless
/// `insecureSkipVerify` is set explicitly.
public struct TLSOptions: Sendable {
    /// PEM file of CA certificates to trust instead of the system bundle.
    public var caFile: String?
    /// PEM client certificate and key paths, for mutual TLS.
    public var clientCertificate: String?
    public var clientKey: String?
    public var insecureSkipVerify: Bool

    public init(caFile: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil,
                insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipVerify = insecureSkipVerify
    }
}
