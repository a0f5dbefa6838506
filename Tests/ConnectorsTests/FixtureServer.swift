import Foundation
import HTTPTransport

/// The Python fixture server (Server/fixture_server.py) as a subprocess: a real HTTP server on
/// 127.0.0.1 with fixture files and deliberate misbehaviour. One per test; stopped by `stop()`.
final class FixtureServer: @unchecked Sendable {
    private let process = Process()
    private(set) var port = 0
    var base: String { "http://127.0.0.1:\(port)" }

    static func start() async throws -> FixtureServer {
        let server = FixtureServer()
        try await server.launch()
        return server
    }

    private func launch() async throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let portFile = NSTemporaryDirectory() + "fixture-server-\(UUID().uuidString)"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", folder.appendingPathComponent("Server/fixture_server.py").path, portFile,
                             folder.appendingPathComponent("Fixtures").path]
        // Our stdin is its lifeline (it exits at EOF, so it cannot outlive a crashed run), and its
        // output must not hold the test runner's pipes open.
        process.standardInput = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait without blocking a cooperative thread.
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text) {
                port = p
                try? FileManager.default.removeItem(atPath: portFile)
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        process.terminate()
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "fixture server did not start"])
    }

    /// What the server received, for asserting on request headers.
    func requests() async throws -> [[String: Any]] {
        let response = try await HTTPClient().send(HTTPRequest(url: "\(base)/requests"))
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]) ?? []
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }

    deinit { stop() }
}
