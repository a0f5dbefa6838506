import HTTPTransport

/// What can go wrong talking to the API server, with the policy the watcher reads.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No usable configuration (the message names what was tried).
        case configuration
        /// 401/403: credentials or RBAC. Retried slowly: RBAC may be fixed later.
        case unauthorized(status: Int)
        /// 410 Gone / Expired: the version is too old; relist.
        case expired
        /// Connection failures, TLS errors, 5xx, 429: back off and retry.
        case unavailable
        /// Anything else the server refused (4xx): reported, retried slowly.
        case refused(status: Int)
        /// A response that is not what the API promises.
        case malformed
        /// The server's certificate was not trusted, or ours was refused. Reported, retried slowly.
        case tls
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// curl's peer-verification, CA-file, client-certificate and handshake failures.
    static let tlsFailures: Set<Int> = [35, 58, 60, 77, 83, 90, 91]

    /// From a transfer error or an answer with a `Status` body.
    static func from(_ error: HTTPError) -> KubeError {
        switch error.kind {
        case .status(let code) where code == 401 || code == 403:
            let hint = code == 401 ? "check the token or client certificate" : "check the RBAC rules (get, list, watch on the ConfigMap)"
            return KubeError(.unauthorized(status: code), "Kubernetes API answered \(code) (\(hint)): \(error)")
        case .status(410):
            return KubeError(.expired, "resource version expired: \(error)")
        case .status(let code) where code == 429 || code >= 500:
            return KubeError(.unavailable, "Kubernetes API unavailable: \(error)")
        case .status(let code):
            return KubeError(.refused(status: code), "Kubernetes API refused the request: \(error)")
        case .transport(let code) where tlsFailures.contains(code):
            // Not transient: a wrong CA or client certificate stays wrong until someone fixes it.
            return KubeError(.tls, "TLS with the Kubernetes API failed (check the CA and client certificate): \(error)")
        case .transport, .cancelled:
            return KubeError(.unavailable, "cannot reach the Kubernetes API: \(error)")
        }
    }
}
