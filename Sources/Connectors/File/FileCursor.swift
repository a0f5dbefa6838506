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

    var text: String {
        String(decoding: (try? SortedJSON.encode(self)) ?? Data(), as: UTF8.self)
    }
}
