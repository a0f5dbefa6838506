import Connectors
import Foundation
import StreamConfig
import StreamManagerKit

/// One source's record of the offsets topic as `offsets get` and `offsets list` show it: the
/// record's fields plus `source_id`, the cursor as the JSON it stands for (a generator's `"123"`
/// is `123`), and the embedded config exactly as stored (`${ENV}` references as written).
public struct OffsetsEntry: Sendable, Equatable {
    public var sourceID: String
    public var record: CommittedCursor

    public init(sourceID: String, record: CommittedCursor) {
        self.sourceID = sourceID
        self.record = record
    }

    /// The cursor as compact JSON text; `null` before the stream's first delivery.
    public var cursorJSON: String { record.cursor.map { CursorJSON.text(CursorJSON.shown($0)) } ?? "null" }

    /// The `source_type` of the embedded config, when there is one.
    public var sourceType: String? {
        guard let config = record.config,
              let object = try? JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any] else { return nil }
        return object["source_type"] as? String
    }

    /// The entry as a JSON object value (keys sorted when serialised).
    public var object: [String: Any] {
        let config = record.config.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? NSNull()
        return ["source_id": sourceID, "config": config, "config_hash": record.configHash,
                "config_version": record.configVersion ?? NSNull(), "cursor": record.cursor.map(CursorJSON.shown) ?? NSNull(),
                "stream_id": record.streamID, "updated_at": record.updatedAt]
    }

    /// The entry as JSON, keys sorted; `pretty` indents it for people.
    public func json(pretty: Bool = false) -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data(), as: UTF8.self)
    }
}
