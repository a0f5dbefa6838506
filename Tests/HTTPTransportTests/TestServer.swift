import Foundation
import TestSupport

/// Server/http_test_server.py as a subprocess on 127.0.0.1. Start one per test with `with…`,
/// which stops it afterwards, whatever the test did.
final class TestServer: Sendable {
    let scheme: String
    private let process: TestServerProcess

    var port: Int { process.port }
    var base: String { "\(scheme)://127.0.0.1:\(port)" }
    func url(_ path: String) -> String { base + path }

    private init(process: TestServerProcess, scheme: String) {
        self.process = process
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
        let process = try await TestServerProcess.start(script: script, arguments: { [$0] + tls })
        return TestServer(process: process, scheme: tls.isEmpty ? "http" : "https")
    }

    func stop() { process.stop() }
}
