/// Shell-style globs for routing patterns: `*` matches any run of characters (including
/// none), `?` exactly one; everything else matches itself.
public enum Glob {
    public static func matches(_ pattern: String, _ subject: String) -> Bool {
        let p = Array(pattern), s = Array(subject)
        // Iterative matcher with single backtrack point: linear in practice, no recursion.
        var pi = 0, si = 0
        var star: Int?
        var starMatch = 0
        while si < s.count {
            if pi < p.count, p[pi] == "?" || (p[pi] != "*" && p[pi] == s[si]) {
                pi += 1
                si += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                starMatch = si
                pi += 1
            } else if let star {
                pi = star + 1
                starMatch += 1
                si = starMatch
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
