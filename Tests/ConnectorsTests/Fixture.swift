import Foundation

/// Test fixtures: ours under Tests/ConnectorsTests/Fixtures, and the recorded real responses in
/// ../shared/fixtures/real-payloads when that folder exists (tests using those skip otherwise).
enum Fixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let realFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/fixtures/real-payloads").standardized

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    static func real(_ name: String) -> [UInt8]? {
        (try? Data(contentsOf: realFolder.appendingPathComponent(name))).map(Array.init)
    }

    static var hasReal: Bool { FileManager.default.fileExists(atPath: realFolder.path) }
}
