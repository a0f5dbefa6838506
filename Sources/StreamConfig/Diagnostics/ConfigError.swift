/// Errors about configuration that callers throw or report. The first three keep V1's
/// exact wording, which its users already search for.
public enum ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `Config file not found: <path>`
    case fileNotFound(path: String)
    /// `Source not configured: <id>`
    case sourceNotConfigured(id: String)
    /// `Source is disabled: <id>`
    case sourceDisabled(id: String)
    /// The file exists but could not be read (permissions, a directory, ...).
    case unreadable(path: String, reason: String)
    /// The document has errors; every diagnostic is kept.
    case invalid(diagnostics: [Diagnostic])

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "Config file not found: \(path)"
        case .sourceNotConfigured(let id): return "Source not configured: \(id)"
        case .sourceDisabled(let id): return "Source is disabled: \(id)"
        case .unreadable(let path, let reason): return "Config file could not be read: \(path): \(reason)"
        case .invalid(let diagnostics):
            let errors = diagnostics.errors
            guard let first = errors.first else { return "invalid configuration" }
            let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
            return "invalid configuration: \(first)\(more)"
        }
    }
}
