import Foundation
import StreamConfig

/// Where a `file` source is: a file of its glob (files are read in name order) and the byte
/// offset after the last line emitted from it. Stored as JSON, so it survives any path.
struct FileCursor: Codable, Equatable {
    var file: String
    var offset: UInt64

    init(file: String, offset: UInt64) {
        self.file = file
        self.offset = offset
    }

    init?(_ text: String?) {
        guard let text, let data = text.data(using: .utf8),
              let value = try? JSONDecoder().decode(FileCursor.self, from: data) else { return nil }
        self = value
    }

    static let shape = "a file cursor: {\"file\": \"<path of a file the source reads>\", \"offset\": <byte offset after the last line sent, a non-negative integer>}"

    /// A cursor written as JSON (`offsets set`): exactly `file` and `offset`.
    init(json value: Any) throws(CursorShapeError) {
        guard let object = value as? [String: Any] else {
            throw CursorShapeError("got \(CursorJSON.describe(value))", expected: Self.shape)
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "file" && $0 != "offset" }) {
            throw CursorShapeError("unknown key '\(unknown)'", expected: Self.shape)
        }
        guard let file = object["file"] as? String, !file.isEmpty else {
            throw CursorShapeError("'file' must be a non-empty string, got \(object["file"].map(CursorJSON.describe) ?? "nothing")",
                                   expected: Self.shape)
        }
        guard let offset = object["offset"].flatMap(CursorJSON.nonNegativeInteger) else {
            throw CursorShapeError("'offset' must be a non-negative integer, got \(object["offset"].map(CursorJSON.describe) ?? "nothing")",
                                   expected: Self.shape)
        }
        self.init(file: file, offset: offset)
    }

    var text: String {
        String(decoding: (try? SortedJSON.encode(self)) ?? Data(), as: UTF8.self)
    }
}
