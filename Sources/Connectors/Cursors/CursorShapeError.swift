/// A cursor written by hand (`stream-manager offsets set`) that is not what its source type
/// stores. The message names the shape the type expects, so the fix is in the error.
public struct CursorShapeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the value given.
    public var problem: String
    /// The shape the source type expects, in words, with an example.
    public var expected: String

    public init(_ problem: String, expected: String) {
        self.problem = problem
        self.expected = expected
    }

    public var description: String { "\(problem); expected \(expected)" }
}
