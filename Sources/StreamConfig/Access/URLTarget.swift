/// What a URL's text says it reaches: scheme, host, port and path. Split by hand and strictly
/// (a host with characters no DNS name or IP address has is reported, not guessed at), since
/// parsers that disagree about `http://a\@b/` are how allow-lists get bypassed. The transport
/// checks again, with libcurl's own parser, right before each transfer.
struct URLTarget: Sendable, Equatable {
    /// Lower-case.
    var scheme: String
    /// As written, brackets of an IPv6 address kept; empty for `file:///path`.
    var host: String
    var port: String?
    /// Percent-decoded.
    var path: String

    init?(_ url: String) {
        guard let separator = url.range(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound]
        guard let first = scheme.first, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return nil }
        self.scheme = scheme.lowercased()
        var rest = url[separator.upperBound...]
        if let cut = rest.firstIndex(where: { $0 == "#" || $0 == "?" }) { rest = rest[..<cut] }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? String(after.dropFirst()) : (after.isEmpty ? nil : String(after))
        } else if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("}") {  // not `${H:-x}`
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
            port = nil
        }
        let rawPath = String(rest[authorityEnd...])
        path = rawPath.removingPercentEncoding ?? rawPath
    }

    /// Letters, digits, `-`, `_` and `.` (a name or IPv4 address), or a bracketed IPv6 address,
    /// with an optional numeric port.
    var hasValidHost: Bool {
        if let port, !(port.allSatisfy(\.isASCII) && Int(port).map({ (0...65535).contains($0) }) == true) { return false }
        if host.hasPrefix("[") {
            return host.hasSuffix("]") && host.count > 2
                && host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return !host.isEmpty && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}
