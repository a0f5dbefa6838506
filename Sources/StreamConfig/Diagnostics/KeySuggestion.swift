/// "Did you mean" for misspelt keys and enum values.
public enum KeySuggestion {
    /// The closest candidate, if it is close enough to be a likely typo: an edit distance
    /// (with transpositions) of at most a third of the shorter word, or a shared prefix that
    /// covers most of both (`polling_interval_secs` → `polling_interval_seconds`).
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let target = Array(word.lowercased().unicodeScalars)
        guard !target.isEmpty, target.count <= 200 else { return nil }
        var best: (candidate: String, score: Int)?
        for candidate in candidates {
            let other = Array(candidate.lowercased().unicodeScalars)
            guard other != target || candidate != word else { continue }
            let distance = editDistance(target, other)
            let shorter = min(target.count, other.count)
            let limit = max(1, (shorter + 2) / 3)
            let prefix = commonPrefixLength(target, other)
            let prefixMatch = prefix >= 4 && prefix * 10 >= max(target.count, other.count) * 7
            // A short start of a longer word (`gz` for `gzip`) is an abbreviation, not noise.
            let abbreviation = target.count >= 2 && other.count > target.count
                && Array(other.prefix(target.count)) == target
            guard distance <= limit || prefixMatch || abbreviation else { continue }
            if best == nil || distance < best!.score { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions each cost 1.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }

    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        // Three rows: two back (for transpositions), previous, current.
        var before = [Int](repeating: 0, count: width)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: width)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, before[j - 2] + 1)
                }
                current[j] = value
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }

    private static func commonPrefixLength(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        var n = 0
        while n < a.count, n < b.count, a[n] == b[n] { n += 1 }
        return n
    }

    /// `; did you mean 'x'?` or nothing, ready to append to a message.
    static func hint(for word: String, in candidates: some Sequence<String>) -> String {
        closest(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}
