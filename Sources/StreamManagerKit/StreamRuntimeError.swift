/// Why the runtime (or its compatibility facade) refused a request.
public enum StreamRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    case sourceNotConfigured(String)
    case sourceDisabled(String)
    case notStarted
    case streamNotFound(String)
    case connector(String)

    public var description: String {
        switch self {
        case .sourceNotConfigured(let id): return "Source not configured: \(id)"
        case .sourceDisabled(let id): return "Source is disabled: \(id)"
        case .notStarted: return "StreamManagerV2 is not started"
        case .streamNotFound(let id): return "Stream not found: \(id)"
        case .connector(let message): return message
        }
    }
}
