import Foundation

/// Removes secrets from URLs, headers and free text before they reach an error or a log line.
/// Over-redacting is preferred to leaking: a parameter named `monkey` is redacted too.
public struct Redaction: Sendable {
    public static let placeholder = "REDACTED"
    /// Shorter values are not masked in free text: replacing every `1` or `on` of a message
    /// would make it unreadable, and a value that short protects nothing anyway. URLs still get
    /// their credentials and secret-looking parameters redacted by name, whatever their length.
    public static let minimumSecretLength = 4

    /// Exact strings replaced wherever they occur (API keys from configuration, say), longest
    /// first, with their percent-encoded forms (a URL quoted in an error holds those).
    public private(set) var secrets: [String]

    public init(secrets: [String] = []) {
        self.secrets = []
        add(secrets)
    }

    /// `url` with userinfo, secret-looking query/fragment values, key-like path segments and
    /// the known secrets replaced.
    public func url(_ url: String) -> String {
        let parts = URLParts(url)
        var out = parts.prefix
        if parts.userinfo != nil { out += "\(Self.placeholder)@" }
        out += parts.host
        out += parts.path.split(separator: "/", omittingEmptySubsequences: false)
            .map { Self.looksLikeKey($0) ? Self.placeholder : String($0) }
            .joined(separator: "/")
        if let query = parts.query { out += "?" + Self.redactPairs(query) }
        if let fragment = parts.fragment {
            out += "#" + (fragment.contains("=") ? Self.redactPairs(fragment) : String(fragment))
        }
        return text(out)
    }

    /// The value to show for header `name`.
    public func headerValue(name: String, value: String) -> String {
        Self.isSecretHeader(name) ? Self.placeholder : text(value)
    }

    public func headers(_ headers: [(String, String)]) -> [(String, String)] {
        headers.map { ($0.0, headerValue(name: $0.0, value: $0.1)) }
    }

    /// `text` with every known secret replaced.
    public func text(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: Self.placeholder) }
    }

    /// A copy that also knows the secrets embedded in `url`, so that messages quoting them
    /// (a curl error echoing a host or path, a body echoing a key) are redacted as well.
    public func adding(secretsIn url: String) -> Redaction {
        let parts = URLParts(url)
        var found: [String] = []
        if let userinfo = parts.userinfo {
            found += userinfo.split(separator: ":", maxSplits: 1).map(String.init)
        }
        found += parts.path.split(separator: "/").filter(Self.looksLikeKey).map(String.init)
        for pairs in [parts.query, parts.fragment].compactMap({ $0 }) {
            for pair in pairs.split(separator: "&") {
                guard let eq = pair.firstIndex(of: "="), Self.isSecretParameter(pair[..<eq]) else { continue }
                let value = String(pair[pair.index(after: eq)...])
                found.append(value)
                if let decoded = value.removingPercentEncoding { found.append(decoded) }
            }
        }
        var copy = self
        copy.add(found)
        return copy
    }

    /// A copy that also replaces `more`.
    public func adding(secrets more: [String]) -> Redaction {
        var copy = self
        copy.add(more)
        return copy
    }

    /// UTF-8 length of the longest secret: how far past a cut a secret may reach.
    public var longestSecretBytes: Int { secrets.map(\.utf8.count).max() ?? 0 }

    private mutating func add(_ more: [String]) {
        let usable = more.filter { $0.count >= Self.minimumSecretLength }
        let encoded = usable.flatMap { value in
            [CharacterSet.urlQueryAllowed, .urlPathAllowed, .urlHostAllowed].compactMap { value.addingPercentEncoding(withAllowedCharacters: $0) }
        }
        // Longest first, so a secret containing another is replaced whole.
        secrets = Array(Set(secrets + usable + encoded)).sorted { $0.count > $1.count || ($0.count == $1.count && $0 < $1) }
    }

    private static func redactPairs(_ pairs: Substring) -> String {
        pairs.split(separator: "&", omittingEmptySubsequences: false).map { pair in
            guard let eq = pair.firstIndex(of: "="), isSecretParameter(pair[..<eq]) else { return String(pair) }
            return "\(pair[...eq])\(placeholder)"
        }.joined(separator: "&")
    }

    static func isSecretParameter(_ rawName: Substring) -> Bool {
        let decoded = String(rawName).removingPercentEncoding ?? String(rawName)
        let name = decoded.lowercased().filter { $0.isLetter || $0.isNumber }
        if ["key", "apikey", "token", "accesstoken", "secret", "password", "sig", "signature", "mapkey", "auth"]
            .contains(name) { return true }
        return name.hasSuffix("key") || name.hasSuffix("sig")
            || ["token", "secret", "password", "passwd", "signature", "auth", "credential"].contains { name.contains($0) }
    }

    static func isSecretHeader(_ rawName: String) -> Bool {
        let name = rawName.lowercased()
        if ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"].contains(name) { return true }
        return ["key", "token", "secret", "auth"].contains { name.contains($0) }
    }

    /// API keys in paths (NASA FIRMS puts a 32-hex MAP_KEY there): a long run of letters and digits.
    static func looksLikeKey(_ segment: Substring) -> Bool {
        segment.utf8.count >= 24 && segment.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
        }
    }
}

/// A URL split textually: Foundation's URL would reject or rewrite some inputs we must still redact.
private struct URLParts {
    var prefix = ""          // "https://"
    var userinfo: Substring?
    var host: Substring = "" // host and port
    var path: Substring = ""
    var query: Substring?
    var fragment: Substring?

    init(_ url: String) {
        var rest = Substring(url)
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        if let scheme = rest.range(of: "://") {
            prefix = String(rest[..<scheme.upperBound])
            let afterScheme = rest[scheme.upperBound...]
            let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
            var authority = afterScheme[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                userinfo = authority[..<at]
                authority = authority[authority.index(after: at)...]
            }
            host = authority
            rest = afterScheme[authorityEnd...]
        }
        path = rest
    }
}
