import Foundation
import Testing
@testable import StreamConfig

/// Files of the repository the tests read in place (`config/...`).
enum Repo {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }
}

extension Array where Element == Diagnostic {
    /// The single diagnostic at `path` (fails the test when there is none or several).
    func one(at path: String, sourceLocation: SourceLocation = #_sourceLocation) -> Diagnostic? {
        let matching = filter { $0.path == path }
        #expect(matching.count == 1, "expected one diagnostic at \(path), got \(matching) among \(self)",
                sourceLocation: sourceLocation)
        return matching.first
    }

    var rendered: String { map(\.description).joined(separator: "\n") }
}

/// Parses a whole config with strict options and no environment checks.
func parse(_ text: String, options: ValidationOptions = .strict) -> ConfigLoadResult {
    ConfigLoader.parse(text, options: options)
}

/// Asserts one diagnostic at `path` with this severity and position, whose message contains
/// `containing`.
func expectDiagnostic(_ diagnostics: [Diagnostic], at path: String, _ severity: Severity = .error,
                      line: Int, column: Int, containing: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    guard let d = diagnostics.one(at: path, sourceLocation: sourceLocation) else { return }
    #expect(d.severity == severity, "\(d)", sourceLocation: sourceLocation)
    #expect(d.line == line && d.column == column, "position of \(d)", sourceLocation: sourceLocation)
    #expect(d.message.contains(containing), "message of \(d)", sourceLocation: sourceLocation)
}

/// A deterministic generator (SplitMix64) so the fuzz test is reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
