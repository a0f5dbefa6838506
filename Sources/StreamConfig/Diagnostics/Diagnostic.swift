import TextEscaping

/// How serious a problem is: errors block (validate exits 1, the reconciler rejects the
/// config); warnings are reported and the config is still used.
public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
    case error
    case warning

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .error && rhs == .warning
    }
}

/// One problem found in a config, as a value: the reconciler puts it in the status topic,
/// the CLI prints it as `FILE:LINE:COLUMN: severity: message`.
public struct Diagnostic: Sendable, Hashable {
    public var severity: Severity
    /// Dotted key path (`sources.noaa.ingestion.buffer_size`, `topic_routing.patterns[0].topic`);
    /// empty for problems of the document as a whole (syntax errors).
    public var path: String
    /// 1-based line and column (columns count Unicode scalars); 0 when the value has no
    /// position (a config built in Swift code).
    public var line: Int
    public var column: Int
    public var message: String
    /// For syntax errors: the offending line, secret-looking values masked.
    public var excerpt: String?

    public init(severity: Severity, path: String, line: Int = 0, column: Int = 0,
                message: String, excerpt: String? = nil) {
        self.severity = severity
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.excerpt = excerpt
    }

    public static func error(_ message: String, path: String = "", at position: Position? = nil) -> Diagnostic {
        Diagnostic(severity: .error, path: path, line: position?.line ?? 0,
                   column: position?.column ?? 0, message: message)
    }

    public static func warning(_ message: String, path: String = "", at position: Position? = nil) -> Diagnostic {
        Diagnostic(severity: .warning, path: path, line: position?.line ?? 0,
                   column: position?.column ?? 0, message: message)
    }

    public var isError: Bool { severity == .error }

    /// Line and column together (0:0 without a position).
    public var position: Position { Position(line: line, column: column) }

    /// The source a diagnostic belongs to, when its path is under `sources.<id>`.
    public var sourceID: String? {
        guard path.hasPrefix("sources.") else { return nil }
        let rest = path.dropFirst("sources.".count)
        return String(rest.prefix { $0 != "." && $0 != "[" })
    }

    /// `path: message` — the form used in status records and error strings.
    public var text: String {
        path.isEmpty ? message : "\(path): \(message)"
    }

    /// The CLI's line: `FILE:LINE:COLUMN: error|warning: path: message` (positions 1-based;
    /// a value without a position is reported at 1:1 so the line stays machine-readable).
    public func formatted(file: String) -> String {
        "\(file):\(max(line, 1)):\(max(column, 1)): \(severity.rawValue): \(ControlCharacters.escaped(text))"
    }

}

extension Diagnostic: CustomStringConvertible {
    public var description: String {
        line > 0 ? "\(line):\(column): \(severity.rawValue): \(text)" : "\(severity.rawValue): \(text)"
    }
}

/// A 1-based line and column in a config document.
public struct Position: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: Position, rhs: Position) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

extension Sequence where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.isError } }
    public var errors: [Diagnostic] { filter { $0.isError } }
    public var warnings: [Diagnostic] { filter { !$0.isError } }

    /// In document order; position-less ones last, then by path, so output is stable.
    public func sortedByPosition() -> [Diagnostic] {
        sorted { a, b in
            let pa = a.line > 0 ? (a.line, a.column) : (Int.max, 0)
            let pb = b.line > 0 ? (b.line, b.column) : (Int.max, 0)
            if pa != pb { return pa < pb }
            if a.path != b.path { return a.path < b.path }
            if a.severity != b.severity { return a.severity < b.severity }
            return a.message < b.message
        }
    }
}
