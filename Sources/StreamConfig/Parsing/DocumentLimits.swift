/// How large a document may be, as written and as expanded.
///
/// YAML aliases let a small text stand for an enormous tree (a list of aliases to a list of
/// aliases to a long string), and every later step — decoding, hashing, the canonical JSON —
/// walks the expanded tree. So the parser refuses a document by its size twice: the raw text
/// before parsing, and the bytes of keys and scalars (and the count of values) while it expands
/// aliases, stopping at the first one past the limit.
public struct DocumentLimits: Sendable, Hashable {
    /// Bytes of text, checked before parsing (and before reading the rest of a file).
    public var maxBytes: Int
    /// Bytes of every key and scalar of the tree with aliases and merge keys expanded.
    public var maxExpandedBytes: Int
    /// Keys, scalars, lists and mappings of the expanded tree.
    public var maxValues: Int
    /// What the limits apply to, for messages: "a config document".
    public var subject: String

    public init(maxBytes: Int, maxExpandedBytes: Int, maxValues: Int, subject: String) {
        self.maxBytes = maxBytes
        self.maxExpandedBytes = maxExpandedBytes
        self.maxValues = maxValues
        self.subject = subject
    }

    /// A whole config: a file, a ConfigMap key (Kubernetes caps those at 1 MiB).
    public static let configDocument = DocumentLimits(maxBytes: 8 << 20, maxExpandedBytes: 8 << 20,
                                                      maxValues: 200_000, subject: "a config document")

    /// One source entry: a config-topic record (Kafka's default largest message is 1 MB), a
    /// `validate --source-document` file.
    public static let sourceDocument = DocumentLimits(maxBytes: 1 << 20, maxExpandedBytes: 1 << 20,
                                                      maxValues: 50_000, subject: "a single source entry")

    /// "8388608 bytes (8 MiB)".
    static func bytes(_ n: Int) -> String {
        n >= 1 << 20 && n % (1 << 20) == 0 ? "\(n) bytes (\(n >> 20) MiB)" : "\(n) bytes"
    }

    var rawMessage: String {
        "the document is larger than \(Self.bytes(maxBytes)), the limit for \(subject)"
    }

    var expandedMessage: String {
        "the document expands to more than \(Self.bytes(maxExpandedBytes)) of keys and values, "
            + "the limit for \(subject) (aliases repeat what they point to)"
    }

    var valuesMessage: String {
        "the document expands to more than \(maxValues) values, the limit for \(subject) (aliases repeat what they point to)"
    }

    /// Line and column (1-based, columns in Unicode scalars) of byte `offset` of `bytes`:
    /// where a document too large stops being acceptable.
    static func position<C: Collection>(ofByte offset: Int, in bytes: C) -> Position where C.Element == UInt8 {
        if let position = bytes.withContiguousStorageIfAvailable({ position(ofByte: offset, in: $0) }) {
            return position
        }
        return Array(bytes.prefix(offset)).withUnsafeBufferPointer { position(ofByte: offset, in: $0) }
    }

    /// Concrete, so that counting through megabytes stays fast in unoptimised builds too.
    static func position(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Position {
        var line = 1, column = 1
        for i in 0..<Swift.min(offset, bytes.count) {
            let byte = bytes[i]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte: a new scalar
                column += 1
            }
        }
        return Position(line: line, column: column)
    }
}
