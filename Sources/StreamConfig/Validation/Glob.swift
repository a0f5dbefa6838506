/// A shell-style glob, as routing patterns and `source_access.env` write them: `*` matches any
/// run of characters (including none), `?` exactly one; everything else matches itself.
///
/// Compiled once (the pattern's Unicode scalars), so the pipeline can match every record's
/// source against the same value; validation and `status` use the one-shot `matches(_:_:)`.
public struct Glob: Sendable, Hashable {
    private let pattern: [Unicode.Scalar]

    public init(_ pattern: String) { self.pattern = Array(pattern.unicodeScalars) }

    public static func matches(_ pattern: String, _ subject: String) -> Bool {
        Glob(pattern).matches(subject)
    }

    /// Greedy match that backtracks only to the last `*`, so it runs in O(n·m) worst case.
    public func matches(_ text: String) -> Bool {
        let s = Array(text.unicodeScalars)
        var p = 0, t = 0
        var star: Int?, starText = 0
        while t < s.count {
            if p < pattern.count && (pattern[p] == "?" || (pattern[p] != "*" && pattern[p] == s[t])) {
                p += 1
                t += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p
                starText = t
                p += 1
            } else if let st = star {
                p = st + 1
                starText += 1
                t = starText
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
