import Foundation
import Pipeline
import StreamConfig

/// A request to restart one running stream, carried by the config topic beside the sources:
/// key `__restart:<source id>` (a reserved key, so it is no source and never changes a source's
/// config or hash), value `{"requested_at", "requested_by", "source_id", "stream_id"}`.
///
/// It names the stream to restart, not just the source: the owner restarts the source only while
/// that stream is the one running. So a request is done once, however often it is read — a
/// replica reading the topic from the beginning, or after a failover, finds a newer stream and
/// does nothing — and compaction keeping the last request per source is harmless.
public struct RestartRequest: Sendable, Equatable {
    public static let keyPrefix = "__restart:"

    public var sourceID: String
    public var streamID: String
    public var requestedBy: String
    public var requestedAt: String

    public init(sourceID: String, streamID: String, requestedBy: String, at date: Date = Date()) {
        self.sourceID = sourceID
        self.streamID = streamID
        self.requestedBy = requestedBy
        requestedAt = RFC3339.string(date)
    }

    public static func key(_ sourceID: String) -> String { keyPrefix + sourceID }

    public func json() -> [UInt8] {
        let q = CanonicalJSON.quoted
        return Array(("{\"requested_at\":\(q(requestedAt)),\"requested_by\":\(q(requestedBy)),"
            + "\"source_id\":\(q(sourceID)),\"stream_id\":\(q(streamID))}").utf8)
    }

    /// Reads a config-topic record; nil when it is not a well-formed request (ignored).
    public init?(key: String, value: [UInt8]?) {
        guard key.hasPrefix(Self.keyPrefix), let value,
              let object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
              let stream = object["stream_id"] as? String else { return nil }
        let id = String(key.dropFirst(Self.keyPrefix.count))
        guard !id.isEmpty, (object["source_id"] as? String).map({ $0 == id }) ?? true else { return nil }
        sourceID = id
        streamID = stream
        requestedBy = object["requested_by"] as? String ?? "unknown"
        requestedAt = object["requested_at"] as? String ?? ""
    }
}
