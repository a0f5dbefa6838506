import Connectors

/// Why an edit of a committed cursor was refused; nothing was written.
public enum OffsetsAdminError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source's status record says it runs and its manager's heartbeat is there: a cursor
    /// written now would be overwritten by the stream's next commit.
    case running(sourceID: String, state: String, instanceID: String)
    /// The cursor is not JSON, or not the shape the source type stores.
    case invalidCursor(sourceID: String, sourceType: String?, CursorShapeError)
    /// No offsets record and no config record: nothing says what the source is.
    case unknownSource(String)
    /// No offsets record, and the config-topic record does not parse: no config to write with it.
    case unreadableConfig(String, configVersion: String)
    /// `get` of a source with no committed cursor.
    case noRecord(String)

    public var description: String {
        switch self {
        case .running(let id, let state, let instance):
            return "source '\(id)' is running (\(state) on instance \(instance)); pause it first with 'enabled: false', "
                + "set the cursor, then enable it (if \(instance) is gone for good, killed and not coming back, "
                + "its records stay behind: --force skips this check)"
        case .invalidCursor(let id, let type, let error):
            return "invalid cursor for '\(id)'\(type.map { " (\($0))" } ?? ""): \(error)"
        case .unknownSource(let id):
            return "source '\(id)' is in neither the offsets topic nor the config topic"
        case .unreadableConfig(let id, let version):
            return "source '\(id)' has no offsets record and its config record (\(version)) does not parse: fix the record first"
        case .noRecord(let id):
            return "no committed cursor for '\(id)'"
        }
    }
}
