#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The directories files may be read from, and whether a path lies inside one of them, both
/// compared as the kernel would open them: symlinks resolved (`realpath`) as far as the path
/// exists, `.` and `..` resolved after that. So `data/../../etc/passwd` and a symlink in a root
/// pointing at `/etc` are both outside.
struct FileRoots: Sendable {
    /// Absolute and physical.
    let roots: [String]

    /// Relative roots are taken from `directory` (the operator's working directory).
    init(_ written: [String], directory: String = FileManager.default.currentDirectoryPath) {
        roots = written.map { Self.physical($0, from: directory) }
        self.directory = directory
    }

    private let directory: String

    func contains(_ path: String) -> Bool {
        let resolved = Self.physical(path, from: directory)
        return roots.contains { Self.isInside(resolved, $0) }
    }

    /// Whether the glob `pattern` could match a file inside a root: the directory before its
    /// first wildcard is inside a root, or holds one.
    func couldMatchInside(_ pattern: String) -> Bool {
        let components = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let literal = components.prefix { !$0.contains(where: { "*?[".contains($0) }) }
        guard literal.count < components.count else { return contains(pattern) }
        var prefix = literal.joined(separator: "/")
        if prefix.isEmpty { prefix = pattern.hasPrefix("/") ? "/" : "." }
        let resolved = Self.physical(prefix, from: directory)
        return roots.contains { Self.isInside(resolved, $0) || Self.isInside($0, resolved) }
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }

    /// The absolute path the kernel would open for `path`: the longest existing prefix through
    /// `realpath`, the rest (which cannot hold symlinks, it does not exist) resolved lexically.
    static func physical(_ path: String, from directory: String) -> String {
        let absolute = path.hasPrefix("/") ? path : directory + "/" + path
        let components = absolute.split(separator: "/").map(String.init)
        for existing in stride(from: components.count, through: 0, by: -1) {
            let prefix = "/" + components[..<existing].joined(separator: "/")
            guard let real = realpath(prefix, nil) else { continue }
            defer { free(real) }
            var result = String(cString: real).split(separator: "/").map(String.init)
            for component in components[existing...] {
                switch component {
                case ".": continue
                case "..": _ = result.popLast()
                default: result.append(component)
                }
            }
            return "/" + result.joined(separator: "/")
        }
        return absolute
    }
}
