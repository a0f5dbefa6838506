/// Where each key path was written, so checks that run on the typed model (ranges,
/// cross-field rules) can still point at the exact spot in the file.
public struct PositionTable: Sendable, Hashable {
    /// Path → position of its key (`buffer_size` in `buffer_size: 0`).
    var keys: [String: Position] = [:]
    /// Path → position of its value (`0` in `buffer_size: 0`).
    var values: [String: Position] = [:]
    /// Paths whose value was already reported as malformed; later checks stay quiet about
    /// them rather than piling a second, confusing error on the same spot.
    var invalid: Set<String> = []

    public init() {}

    public var isEmpty: Bool { keys.isEmpty && values.isEmpty }

    /// Whether the key was written (as opposed to defaulted).
    public func isWritten(_ path: String) -> Bool { keys[path] != nil }

    /// Where to report a problem with the value at `path`: the value, else its key, else the
    /// nearest enclosing key that was written.
    public func valuePosition(_ path: String) -> Position? {
        if let p = values[path] ?? keys[path] { return p }
        return parentPath(path).flatMap(keyPosition)
    }

    /// Where to report a problem with the key itself (unknown, missing child): the key,
    /// else the nearest enclosing key.
    public func keyPosition(_ path: String) -> Position? {
        var current: String? = path
        while let p = current {
            if let position = keys[p] ?? values[p] { return position }
            current = parentPath(p)
        }
        return nil
    }

    func isInvalid(_ path: String) -> Bool {
        var current: String? = path
        while let p = current {
            if invalid.contains(p) { return true }
            current = parentPath(p)
        }
        return false
    }

    /// `a.b[2].c` → `a.b[2]` → `a.b` → `a` → nil.
    func parentPath(_ path: String) -> String? {
        guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else {
            return path.isEmpty ? nil : ""
        }
        return String(path[..<cut])
    }
}

/// Joins key paths: `join("sources.a", "topic")` → `sources.a.topic`; an empty base stays out.
func joinPath(_ base: String, _ key: String) -> String {
    base.isEmpty ? key : "\(base).\(key)"
}
