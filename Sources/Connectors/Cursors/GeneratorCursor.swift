/// Where a `generator` source is: the next sequence number (`seq`) to emit, stored as its
/// decimal text.
enum GeneratorCursor {
    static let shape = "a generator cursor: the next sequence number `seq` to emit, a non-negative integer such as 5000"

    /// The next `seq` of a stored cursor (nil: begin at 0).
    static func seq(_ text: String?) -> UInt64? { text.flatMap { UInt64($0) } }

    /// The stored form of a cursor written as JSON.
    static func stored(json value: Any) throws(CursorShapeError) -> String {
        guard let seq = CursorJSON.nonNegativeInteger(value) else {
            throw CursorShapeError("got \(CursorJSON.describe(value))", expected: shape)
        }
        return String(seq)
    }
}
