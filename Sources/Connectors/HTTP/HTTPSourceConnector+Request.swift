import HTTPTransport
import Pipeline
import StreamConfig

extension HTTPSourceConnector.Request {
    /// URL, headers (`headers`, `user_agent`, Accept) and the source's `timeout_seconds`. A URL
    /// outside `manager.source_access` fails here, before any poll (built from the environment,
    /// it could not be checked when the source was accepted).
    init(_ context: ConnectorContext, url: String, headers: [(String, String)], userAgent: String?, accept: String,
         defaultUserAgent: String = "stream-manager") throws {
        if let target = RequestTarget(parsing: url), let refusal = context.access.targetCheck(target) {
            throw ConnectorRegistryError.access(Redaction(secrets: context.secrets).text(refusal))
        }
        var headers = headers
        if !headers.contains(where: { $0.0.lowercased() == "accept" }) { headers.append(("Accept", accept)) }
        if !headers.contains(where: { $0.0.lowercased() == "user-agent" }) {
            headers.append(("User-Agent", userAgent ?? defaultUserAgent))
        }
        let timeout = context.source.timeoutSeconds > 0 ? context.source.timeoutSeconds : 30
        self.init(url: url, headers: headers, timeout: Saturating.duration(seconds: timeout))
    }
}
