import Foundation
import Logging
import Pipeline
import Synchronization

/// Logs go to stderr (stdout carries the lines other tools parse), as text or JSON lines.
enum LogSetup {
    private static let done = Mutex(false)

    static func bootstrap(level: Logger.Level, format: LogFormat) {
        let first = done.withLock { d in defer { d = true }; return !d }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler: LogHandler = format == .json
                ? JSONLogHandler(label: label)
                : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// One JSON object per line: time, level, label, message, metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: Any] = [
            "time": RFC3339.string(Date()),
            "level": event.level.rawValue,
            "label": label,
            "message": event.message.description,
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (k, v) in merged { object[k] = v.description }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }
}
