import Foundation

/// One event of a ConfigMap watch stream.
public enum WatchEvent: Sendable, Equatable {
    case added(ConfigMap)
    case modified(ConfigMap)
    case deleted(ConfigMap)
    /// No change, only a newer version to resume from.
    case bookmark(resourceVersion: String)
    /// The server ended the watch with a `Status` (410 Expired means: relist).
    case error(KubeStatus)
}

/// Splits a watch response — JSON objects separated by line breaks, arriving in chunks that may
/// cut an object anywhere — into events, as the chunks come in.
struct WatchEventParser {
    private var buffer: [UInt8] = []

    /// Feeds a chunk; returns the events it completed.
    mutating func feed(_ chunk: [UInt8]) throws(KubeError) -> [WatchEvent] {
        buffer.append(contentsOf: chunk)
        var events: [WatchEvent] = []
        while let newline = buffer.firstIndex(of: 0x0A) {
            let line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            events.append(try Self.event(line))
        }
        return events
    }

    /// What is left when the stream ends (an object without a final line break).
    mutating func finish() throws(KubeError) -> [WatchEvent] {
        defer { buffer = [] }
        guard buffer.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x0A }) else { return [] }
        return [try Self.event(buffer)]
    }

    static func event(_ line: [UInt8]) throws(KubeError) -> WatchEvent {
        guard let json = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              let type = json["type"] as? String, let object = json["object"] as? [String: Any] else {
            throw KubeError(.malformed, "unreadable watch event: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        switch type {
        case "BOOKMARK":
            let rv = (object["metadata"] as? [String: Any])?["resourceVersion"] as? String ?? ""
            return .bookmark(resourceVersion: rv)
        case "ERROR":
            return .error(KubeStatus(object: object))
        case "ADDED", "MODIFIED", "DELETED":
            guard let map = ConfigMap(object: object) else { throw KubeError(.malformed, "watch event \(type) without metadata.name") }
            return type == "ADDED" ? .added(map) : type == "MODIFIED" ? .modified(map) : .deleted(map)
        default:
            throw KubeError(.malformed, "unknown watch event type \(type)")
        }
    }
}
