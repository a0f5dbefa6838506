/// Masks values that look like secrets in a line of config text before it is shown, so a
/// syntax error on the line holding an API key does not print the key into CI logs.
///
/// Environment references (`${NAME}`) are what configs should hold and are left alone.
public enum SecretMasker {
    public static let mask = "***"

    /// Key names whose values are treated as secret.
    static let secretWords = ["key", "token", "secret", "password", "passwd", "pwd", "auth",
                              "credential", "signature", "private", "cookie", "session"]

    public static func isSecretKeyName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretWords.contains { lower.contains($0) }
    }

    /// The line with secret-looking values replaced by `***`.
    public static func maskLine(_ line: String) -> String {
        var result = maskKeyedValue(line)
        result = maskURLCredentials(result)
        result = maskQueryParameters(result)
        result = maskOpaqueTokens(result)
        return result
    }

    /// `api_key: abc123` / `"token": "abc"` → the value masked.
    private static func maskKeyedValue(_ line: String) -> String {
        guard let colon = line.firstIndex(of: ":") else { return line }
        let key = line[..<colon].trimming(" \t-\"'{,")
        guard !key.isEmpty, isSecretKeyName(key) else { return line }
        let value = line[line.index(after: colon)...]
        let trimmed = value.trimming(" \t\"',}")
        guard !trimmed.isEmpty, !trimmed.hasPrefix("${"), trimmed != "{", trimmed != "[" else { return line }
        return String(line[...colon]) + " " + mask
    }

    /// `https://user:pass@host` → `https://user:***@host`.
    private static func maskURLCredentials(_ line: String) -> String {
        guard let scheme = line.range(of: "://") else { return line }
        let rest = line[scheme.upperBound...]
        guard let at = rest.firstIndex(of: "@") else { return line }
        let userInfo = rest[..<at]
        guard !userInfo.contains("/"), !userInfo.contains(" "),
              let colon = userInfo.firstIndex(of: ":") else { return line }
        return String(line[..<rest.index(after: colon)]) + mask + String(rest[at...])
    }

    /// `?api_key=abc&x=1` → `?api_key=***&x=1`.
    private static func maskQueryParameters(_ line: String) -> String {
        var out = ""
        var remaining = Substring(line)
        while let eq = remaining.firstIndex(of: "=") {
            let before = remaining[..<eq]
            let nameStart = before.lastIndex { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
                .map { before.index(after: $0) } ?? before.startIndex
            let name = before[nameStart...]
            out += remaining[...eq]
            remaining = remaining[remaining.index(after: eq)...]
            if isSecretKeyName(String(name)) {
                let end = remaining.firstIndex { "&# \"'\t".contains($0) } ?? remaining.endIndex
                if !remaining[..<end].hasPrefix("${"), remaining.startIndex != end {
                    out += mask
                    remaining = remaining[end...]
                }
            }
        }
        return out + remaining
    }

    /// Long runs of letters and digits that look like generated keys (at least 20 characters,
    /// with both letters and digits).
    private static func maskOpaqueTokens(_ line: String) -> String {
        var out = ""
        var token = ""
        func flush() {
            let hasDigit = token.contains { $0.isNumber }
            let hasLetter = token.contains { $0.isLetter }
            out += token.count >= 20 && hasDigit && hasLetter && !token.contains("_") ? mask : token
            token = ""
        }
        for ch in line {
            if ch.isASCII && (ch.isLetter || ch.isNumber || ch == "+" || ch == "=" || ch == "-") {
                token.append(ch)
            } else {
                flush()
                out.append(ch)
            }
        }
        flush()
        return out
    }
}

extension StringProtocol {
    func trimming(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
