import Foundation
import Synchronization

/// How to reach and authenticate to one API server. Inline (`-data`) certificates have been
/// written to private files by then, since libcurl takes paths.
public struct KubeClientConfig: Sendable {
    public enum Credentials: Sendable, Equatable {
        case none
        case token(String)
        /// Re-read about every minute: service-account tokens rotate.
        case tokenFile(String)
        case clientCertificate(certFile: String, keyFile: String)
    }

    public var server: String
    public var caFile: String?
    public var insecureSkipTLSVerify: Bool
    public var credentials: Credentials
    /// The namespace the configuration names (kubeconfig context, in-cluster file), if any.
    public var namespace: String?
    /// Where this came from, for logs and errors: `kubeconfig /path (context ci)`, `in-cluster`, `flags`.
    public var origin: String

    public init(server: String, caFile: String? = nil, insecureSkipTLSVerify: Bool = false,
                credentials: Credentials = .none, namespace: String? = nil, origin: String = "flags") {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.caFile = caFile
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.credentials = credentials
        self.namespace = namespace
        self.origin = origin
    }
}

/// The bearer token to send, re-reading a token file at most once a minute.
final class TokenProvider: Sendable {
    private let credentials: KubeClientConfig.Credentials
    private let cached = Mutex<(token: String?, readAt: ContinuousClock.Instant?)>((nil, nil))
    private let refresh: Duration

    init(_ credentials: KubeClientConfig.Credentials, refresh: Duration = .seconds(60)) {
        self.credentials = credentials
        self.refresh = refresh
    }

    var token: String? {
        switch credentials {
        case .token(let t): return t
        case .none, .clientCertificate: return nil
        case .tokenFile(let path):
            return cached.withLock { c in
                if let t = c.token, let at = c.readAt, ContinuousClock.now - at < refresh { return t }
                let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                if let text, !text.isEmpty { c = (text, .now) }
                return c.token
            }
        }
    }
}
