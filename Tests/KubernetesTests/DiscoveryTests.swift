import Foundation
import Kubernetes
import Testing

@Suite("Kubernetes client configuration discovery")
struct DiscoveryTests {
    static func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "kube-discovery-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func kubeconfig(_ user: String, cluster: String = "server: https://127.0.0.1:6443\n    certificate-authority: ca.pem",
                           in dir: String) throws -> String {
        let text = """
            apiVersion: v1
            kind: Config
            current-context: ci
            clusters:
            - name: c1
              cluster:
                \(cluster)
            users:
            - name: u1
              user:
                \(user)
            contexts:
            - name: ci
              context: {cluster: c1, user: u1, namespace: feeds}
            - name: other
              context: {cluster: c1, user: u1}
            """
        let path = dir + "/config"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("kubeconfig with a token: server, CA relative to the file, the context's namespace")
    func token() throws {
        let dir = try Self.tempDir()
        let path = try Self.kubeconfig("token: abc123", in: dir)
        let c = try KubeConfigDiscovery(kubeconfigPath: path, environment: [:]).resolve()
        #expect(c.server == "https://127.0.0.1:6443")
        #expect(c.caFile == dir + "/ca.pem")
        #expect(c.credentials == .token("abc123"))
        #expect(c.namespace == "feeds")
        #expect(c.origin.contains("context ci"))
        let other = try KubeConfigDiscovery(kubeconfigPath: path, context: "other", environment: [:]).resolve()
        #expect(other.namespace == nil)
    }

    @Test("$KUBECONFIG, a tokenFile, client certificate and inline CA data written to private files")
    func tokenFileAndInlineData() throws {
        let dir = try Self.tempDir()
        let ca = Data("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8).base64EncodedString()
        let path = try Self.kubeconfig("tokenFile: token.txt", cluster: "server: https://k8s.example:443\n    certificate-authority-data: \(ca)", in: dir)
        let c = try KubeConfigDiscovery(environment: ["KUBECONFIG": path]).resolve()
        #expect(c.credentials == .tokenFile(dir + "/token.txt"))
        let caFile = try #require(c.caFile)
        #expect(try String(contentsOfFile: caFile, encoding: .utf8).contains("BEGIN CERTIFICATE"))
        let mode = try FileManager.default.attributesOfItem(atPath: caFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let certs = try Self.kubeconfig("client-certificate-data: \(ca)\n    client-key-data: \(ca)", in: dir)
        let withCert = try KubeConfigDiscovery(kubeconfigPath: certs, environment: [:]).resolve()
        guard case .clientCertificate(let cert, let key) = withCert.credentials else {
            Issue.record("expected a client certificate, got \(withCert.credentials)")
            return
        }
        #expect(FileManager.default.fileExists(atPath: cert) && FileManager.default.fileExists(atPath: key))
    }

    @Test("in-cluster: service host and port, the mounted token, CA and namespace")
    func inCluster() throws {
        let dir = try Self.tempDir()
        try "tok".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try "ca".write(toFile: dir + "/ca.crt", atomically: true, encoding: .utf8)
        try "ingest\n".write(toFile: dir + "/namespace", atomically: true, encoding: .utf8)
        let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let c = try KubeConfigDiscovery(environment: env, serviceAccountDirectory: dir).resolve()
        #expect(c.server == "https://10.96.0.1:443")
        #expect(c.credentials == .tokenFile(dir + "/token"))
        #expect(c.caFile == dir + "/ca.crt")
        #expect(c.namespace == "ingest")
        #expect(c.origin == "in-cluster")
    }

    static func failure(_ discovery: KubeConfigDiscovery) -> String {
        do {
            let config = try discovery.resolve()
            return "no error: \(config.origin)"
        } catch {
            return error.description
        }
    }

    @Test("nothing configured: the error names everything that was tried; a broken kubeconfig names the file")
    func failures() throws {
        let none = Self.failure(KubeConfigDiscovery(environment: [:], serviceAccountDirectory: "/nonexistent"))
        #expect(none.contains("--kube-server") && none.contains("$KUBECONFIG") && none.contains("KUBERNETES_SERVICE_HOST"))
        let dir = try Self.tempDir()
        try "clusters: [unclosed".write(toFile: dir + "/bad", atomically: true, encoding: .utf8)
        #expect(Self.failure(KubeConfigDiscovery(kubeconfigPath: dir + "/bad", environment: [:])).contains(dir + "/bad"))
        let path = try Self.kubeconfig("token: x", in: dir)
        #expect(Self.failure(KubeConfigDiscovery(kubeconfigPath: path, context: "missing", environment: [:]))
            .contains("context 'missing' not found"))
    }
}
