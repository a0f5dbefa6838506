import Foundation
import StreamConfig
import Logging
import Pipeline
import Synchronization
import TextEscaping

/// Logs go to stderr (stdout carries the lines other tools parse), as text or JSON lines.
enum LogSetup {
    private static let done = Mutex(false)

    static func bootstrap(level: Logger.Level, format: LogFormat) {
        let first = done.withLock { d in defer { d = true }; return !d }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            // JSON lines escape control characters already; text lines are escaped here.
            var handler: LogHandler = format == .json
                ? JSONLogHandler(label: label)
                : EscapingLogHandler(inner: StreamLogHandler.standardError(label: label))
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
        guard var data = try? SortedJSON.data(object) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }
}

/// Text logs with control characters in messages and metadata made visible (`ControlCharacters`):
/// a source id or an error from outside cannot start a forged log line.
struct EscapingLogHandler: LogHandler {
    var inner: any LogHandler

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: ControlCharacters.escaped(event.message.description))
        event.metadata = event.metadata?.mapValues { .string(ControlCharacters.escaped($0.description)) }
        inner.log(event: event)
    }
}
