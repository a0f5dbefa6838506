import Foundation
import TestSupport

/// Server/http_test_server.py as a subprocess on 127.0.0.1. Start one per test with `with…`,
/// which stops it afterwards, whatever the test did.
final class TestServer: Sendable {
    let port: Int
    let scheme: String
    private let process: Process

    var base: String { "\(scheme)://127.0.0.1:\(port)" }
    func url(_ path: String) -> String { base + path }

    private init(process: Process, port: Int, scheme: String) {
        self.process = process
        self.port = port
        self.scheme = scheme
    }

    static func with<T>(tls: [String] = [], _ body: (TestServer) async throws -> T) async throws -> T {
        let server = try await start(tls: tls)
        defer { server.stop() }
        return try await body(server)
    }

    /// `tls`: [certificate, key] for HTTPS, plus a client CA to require client certificates.
    static func start(tls: [String] = []) async throws -> TestServer {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Server/http_test_server.py").path
        let portFile = NSTemporaryDirectory() + "http-test-server-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, portFile] + tls
        // stdin: the server exits at EOF, so it cannot outlive a crashed test run. Its output must
        // not hold the test runner's pipes open either.
        process.standardInput = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Poll with Task.sleep: never block a cooperative thread waiting for the subprocess.
        for _ in 0..<400 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) {
                try? FileManager.default.removeItem(atPath: portFile)
                return TestServer(process: process, port: port, scheme: tls.isEmpty ? "http" : "https")
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        process.terminate()
        throw TestFailure("test server did not start")
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}

