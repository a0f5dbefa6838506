import Foundation
import Kubernetes
import TestSupport

/// Server/kube_api_server.py: a Kubernetes API server for ConfigMaps with the real list/watch
/// semantics, over HTTPS with a CA made for the test, bearer-token auth; `/_test/` endpoints
/// change its state. One per test; `stop()` ends it (it also exits when the test process dies).
final class KubeTestServer: Sendable {
    static let token = "test-token-\(UUID().uuidString.prefix(8))"
    let pki: TestPKI
    private let process: TestServerProcess

    var port: Int { process.port }
    var base: String { "https://127.0.0.1:\(port)" }

    private init(process: TestServerProcess, pki: TestPKI) {
        self.process = process
        self.pki = pki
    }

    static func start(pki: TestPKI, bookmarkInterval: Double = 0.5, clientCA: Bool = false, port: Int = 0) async throws -> KubeTestServer {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Server/kube_api_server.py").path
        let process = try await TestServerProcess.start(script: script) { portFile in
            ["--cert", pki.serverCert, "--key", pki.serverKey, "--token", token, "--port", "\(port)",
             "--bookmark-interval", "\(bookmarkInterval)", "--port-file", portFile] + (clientCA ? ["--client-ca", pki.caFile] : [])
        }
        return KubeTestServer(process: process, pki: pki)
    }

    func stop() { process.stop() }

    /// A client configuration for this server: its CA and the right (or a given) token.
    func clientConfig(token: String = KubeTestServer.token, caFile: String? = nil) -> KubeClientConfig {
        KubeClientConfig(server: base, caFile: caFile ?? pki.caFile, credentials: .token(token), origin: "test")
    }

    /// A kubeconfig file pointing at this server.
    func kubeconfig(namespace: String = "feeds") throws -> String {
        let path = pki.directory + "/kubeconfig-\(UUID().uuidString)"
        try """
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: test
              cluster: {server: "\(base)", certificate-authority: "\(pki.caFile)"}
            users:
            - name: test
              user: {token: "\(Self.token)"}
            contexts:
            - name: test
              context: {cluster: test, user: test, namespace: \(namespace)}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: admin (the /_test/ endpoints)

    @discardableResult
    func put(_ namespace: String, _ name: String, data: [String: String]) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["data": data])
        let object = try await admin("PUT", "/_test/configmaps/\(namespace)/\(name)", body: body)
        return ((object["metadata"] as? [String: Any])?["resourceVersion"] as? String) ?? ""
    }

    func delete(_ namespace: String, _ name: String) async throws {
        _ = try await admin("DELETE", "/_test/configmaps/\(namespace)/\(name)")
    }

    func action(_ name: String, _ body: [String: Any] = [:]) async throws {
        _ = try await admin("POST", "/_test/\(name)", body: try JSONSerialization.data(withJSONObject: body))
    }

    func stats() async throws -> (lists: Int, watches: Int, watchRVs: [String]) {
        let o = try await admin("GET", "/_test/stats")
        return (o["lists"] as? Int ?? -1, o["watches"] as? Int ?? -1, o["watch_rvs"] as? [String] ?? [])
    }

    /// The admin calls go through curl (not the client under test).
    private func admin(_ method: String, _ path: String, body: Data? = nil) async throws -> [String: Any] {
        let out = NSTemporaryDirectory() + "kube-admin-\(UUID().uuidString)"
        var args = ["curl", "-sS", "--noproxy", "*", "--cacert", pki.caFile, "-X", method, "-o", out, base + path]
        if let body {
            let file = out + ".body"
            try body.write(to: URL(fileURLWithPath: file))
            args += ["-H", "Content-Type: application/json", "--data-binary", "@\(file)"]
        }
        try await runCommand(args, in: NSTemporaryDirectory())
        let data = (try? Data(contentsOf: URL(fileURLWithPath: out))) ?? Data()
        try? FileManager.default.removeItem(atPath: out)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
