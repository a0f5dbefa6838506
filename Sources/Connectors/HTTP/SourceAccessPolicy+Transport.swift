import HTTPTransport
import StreamConfig

extension SourceAccessPolicy {
    /// The policy as the transport's check of every hop (the URL, each next page, each
    /// redirect), on the URL as libcurl parsed it: the scheme, then the host, or for `file://`
    /// the path against the file roots.
    public var targetCheck: TargetCheck {
        let policy = self
        return { target in
            if let refusal = policy.schemeRefusal(target.scheme) { return refusal }
            if target.scheme == "file" { return policy.pathRefusal(target.path) }
            return policy.hostRefusal(host: target.host, port: target.port, scheme: target.scheme)
        }
    }
}
