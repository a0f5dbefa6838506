/// Host allow-list entries: a glob over the host name (`*.example.org`, `10.0.0.?`), compared
/// case-insensitively, optionally with a port (`localhost:8080`, `[::1]:*`). Without a port an
/// entry allows every port, so `api.example.org` covers its HTTP and HTTPS ports alike.
enum HostGlob {
    static func allows(_ globs: [String], host: String, port: Int?) -> Bool {
        let host = normalized(host)
        return globs.contains { glob in
            let (hostGlob, portGlob) = split(glob)
            guard Glob.matches(normalized(hostGlob), host) else { return false }
            guard let portGlob else { return true }
            return portGlob == "*" || (port != nil && Int(portGlob) == port)
        }
    }

    /// Lower-case, IPv6 brackets and a trailing root dot removed: `Example.ORG.` and
    /// `example.org` are one host.
    static func normalized(_ host: String) -> String {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h.count > 1, h.hasSuffix(".") { h.removeLast() }
        return h
    }

    /// The port a URL without one uses.
    static func defaultPort(_ scheme: String) -> Int? {
        switch scheme.lowercased() {
        case "http": 80
        case "https": 443
        default: nil
        }
    }

    /// `host:port`, `[v6]:port` or a host alone (a bare IPv6 address has several colons and no port).
    static func split(_ glob: String) -> (host: String, port: String?) {
        if glob.hasPrefix("["), let close = glob.firstIndex(of: "]") {
            let host = String(glob[...close])
            let rest = glob[glob.index(after: close)...]
            return (host, rest.hasPrefix(":") ? String(rest.dropFirst()) : nil)
        }
        let colons = glob.filter { $0 == ":" }.count
        guard colons == 1, let colon = glob.firstIndex(of: ":") else { return (glob, nil) }
        return (String(glob[..<colon]), String(glob[glob.index(after: colon)...]))
    }

    /// Whether `port` is a valid port glob in an allow-list entry (digits in range, or `*`).
    static func isValidPort(_ port: String) -> Bool {
        port == "*" || (Int(port).map { (1...65535).contains($0) } ?? false)
    }
}
