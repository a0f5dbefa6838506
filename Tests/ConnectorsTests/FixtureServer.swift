import Foundation
import HTTPTransport
import TestSupport

/// The Python fixture server (Server/fixture_server.py) as a subprocess: a real HTTP server on
/// 127.0.0.1 with fixture files and deliberate misbehaviour. One per test; stopped by `stop()`.
final class FixtureServer: Sendable {
    private let process: TestServerProcess
    var port: Int { process.port }
    var base: String { "http://127.0.0.1:\(port)" }

    private init(process: TestServerProcess) { self.process = process }

    static func start() async throws -> FixtureServer {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let fixtures = folder.appendingPathComponent("Fixtures").path
        return FixtureServer(process: try await TestServerProcess.start(
            script: folder.appendingPathComponent("Server/fixture_server.py").path, arguments: { [$0, fixtures] }))
    }

    /// What the server received, for asserting on request headers.
    func requests() async throws -> [[String: Any]] {
        let response = try await HTTPClient().send(HTTPRequest(url: "\(base)/requests"))
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]) ?? []
    }

    func stop() { process.stop() }
}
