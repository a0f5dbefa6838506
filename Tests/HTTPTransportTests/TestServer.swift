import Foundation

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

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion without blocking the calling thread.
func runCommand(_ arguments: [String], in directory: String) async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    if status != 0 { throw TestFailure("\(arguments.joined(separator: " ")) exited with \(status)") }
}

/// A throwaway CA plus server and client certificates for 127.0.0.1/localhost, made with openssl.
struct TestPKI {
    let directory: String
    var caFile: String { directory + "/ca.pem" }
    var serverCert: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    var clientCert: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client.key" }

    static func make() async throws -> TestPKI {
        let directory = NSTemporaryDirectory() + "http-transport-pki-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await runCommand(["openssl", "req", "-x509"] + ec + [
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=HTTPTransport Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], in: directory)
        try """
            [server]
            subjectAltName = IP:127.0.0.1, DNS:localhost
            basicConstraints = CA:FALSE
            extendedKeyUsage = serverAuth
            [client]
            basicConstraints = CA:FALSE
            extendedKeyUsage = clientAuth
            """.write(toFile: directory + "/ext.cnf", atomically: true, encoding: .utf8)
        for (name, subject) in [("server", "/CN=localhost"), ("client", "/CN=test client")] {
            try await runCommand(["openssl", "req"] + ec + [
                "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject,
            ], in: directory)
            try await runCommand([
                "openssl", "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "\(name).pem", "-days", "2", "-extfile", "ext.cnf", "-extensions", name,
            ], in: directory)
        }
        return TestPKI(directory: directory)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
