import Foundation
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

    /// From a transfer error (answers with a status come through `status(_:body:)`).
    static func from(_ error: HTTPError) -> KubeError {
        switch error.kind {
        case .status(let code):
            return status(code, body: Array((error.bodyExcerpt ?? "").utf8))
        case .transport(let code) where tlsFailures.contains(code):
            // Not transient: a wrong CA or client certificate stays wrong until someone fixes it.
            return KubeError(.tls, "TLS with the Kubernetes API failed (check the CA and client certificate): \(error)")
        case .transport, .cancelled, .refused:
            return KubeError(.unavailable, "cannot reach the Kubernetes API: \(error)")
        }
    }

    /// A non-2xx answer, classified once for every call: 401/403 (credentials, RBAC), 410 (relist),
    /// 429/5xx (back off), other 4xx (refused). The `Status` body's reason and message are kept.
    static func status(_ status: Int, body: [UInt8]) -> KubeError {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let detail = object.map { KubeStatus(object: $0) }
        let text = detail.map { "\($0.reason): \($0.message)" } ?? String(decoding: body.prefix(200), as: UTF8.self)
        switch status {
        case 401, 403:
            let hint = status == 401 ? "check the token or client certificate" : "check the RBAC rules (get, list, watch on the ConfigMap)"
            return KubeError(.unauthorized(status: status), "Kubernetes API answered \(status) (\(hint)): \(text)")
        case 410: return KubeError(.expired, "resource version expired: \(text)")
        case 429, 500...: return KubeError(.unavailable, "Kubernetes API answered \(status): \(text)")
        default: return KubeError(.refused(status: status), "Kubernetes API answered \(status): \(text)")
        }
    }
}
