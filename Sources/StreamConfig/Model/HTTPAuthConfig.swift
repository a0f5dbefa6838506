import Foundation

/// `manager.http_auth`: HTTP basic auth in front of the dashboard (`/`, `/events`, `/api/…`) and
/// `/status`. The password is normally a `${ENV}` reference, resolved when the operator starts so
/// the config (and anything that prints it) keeps the reference. `/healthz`, `/readyz` and
/// `/metrics` stay open: probes and Prometheus scrape them without credentials.
public struct HTTPAuthConfig: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The password with its `${ENV}` references resolved.
    public func resolvedPassword(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(EnvReferenceError) -> String {
        try EnvReference.resolve(password, environment: environment)
    }
}
