import Foundation
import Yams

/// Finds the API server configuration the way kubectl and client libraries do, in this order:
/// explicit flags; `--kubeconfig PATH` or `$KUBECONFIG` (current context or `--context`); the
/// in-cluster service account. The error of a failed discovery names everything it tried.
public struct KubeConfigDiscovery: Sendable {
    /// Flags that name the server directly.
    public struct Explicit: Sendable {
        public var server: String
        public var caFile: String?
        public var tokenFile: String?
        public var insecureSkipTLSVerify: Bool
        public init(server: String, caFile: String? = nil, tokenFile: String? = nil, insecureSkipTLSVerify: Bool = false) {
            self.server = server
            self.caFile = caFile
            self.tokenFile = tokenFile
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
        }
    }

    public var explicit: Explicit?
    public var kubeconfigPath: String?
    public var context: String?
    public var environment: [String: String]
    /// Where the in-cluster service account's `token`, `ca.crt` and `namespace` are (tests override it).
    public var serviceAccountDirectory: String

    public init(explicit: Explicit? = nil, kubeconfigPath: String? = nil, context: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount") {
        self.explicit = explicit
        self.kubeconfigPath = kubeconfigPath
        self.context = context
        self.environment = environment
        self.serviceAccountDirectory = serviceAccountDirectory
    }

    public func resolve() throws(KubeError) -> KubeClientConfig {
        var tried: [String] = []
        if let explicit {
            let credentials: KubeClientConfig.Credentials = explicit.tokenFile.map { .tokenFile($0) } ?? .none
            return KubeClientConfig(server: explicit.server, caFile: explicit.caFile,
                                    insecureSkipTLSVerify: explicit.insecureSkipTLSVerify, credentials: credentials,
                                    origin: "flags")
        }
        tried.append("--kube-server (not given)")
        let path = kubeconfigPath ?? environment["KUBECONFIG"]?.split(separator: ":").first.map(String.init)
        if let path, !path.isEmpty {
            // A kubeconfig that was asked for but is broken is an error, not a reason to fall through.
            return try KubeconfigFile.load(path: path, context: context)
        }
        tried.append(kubeconfigPath == nil ? "--kubeconfig (not given) and $KUBECONFIG (not set)" : "")
        if let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] {
            let dir = serviceAccountDirectory
            let token = dir + "/token"
            guard FileManager.default.isReadableFile(atPath: token) else {
                throw KubeError(.configuration, "in-cluster configuration: \(token) is not readable (is a service account mounted?)")
            }
            let ca = dir + "/ca.crt"
            let namespace = (try? String(contentsOfFile: dir + "/namespace", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6 service addresses
            return KubeClientConfig(server: "https://\(hostPart):\(port)",
                                    caFile: FileManager.default.fileExists(atPath: ca) ? ca : nil,
                                    credentials: .tokenFile(token), namespace: namespace, origin: "in-cluster")
        }
        tried.append("in-cluster ($KUBERNETES_SERVICE_HOST/$KUBERNETES_SERVICE_PORT not set)")
        throw KubeError(.configuration, "no Kubernetes API configuration found; tried: " + tried.filter { !$0.isEmpty }.joined(separator: "; "))
    }
}

/// A kubeconfig file: clusters, users, contexts.
enum KubeconfigFile {
    static func load(path: String, context wanted: String?) throws(KubeError) -> KubeClientConfig {
        func fail(_ message: String) -> KubeError { KubeError(.configuration, "kubeconfig \(path): \(message)") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw fail("cannot read the file") }
        let root: [String: Any]
        do {
            guard let parsed = try Yams.load(yaml: text) as? [String: Any] else { throw fail("not a mapping") }
            root = parsed
        } catch let error as KubeError { throw error } catch { throw fail("not valid YAML: \(error)") }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func named(_ list: String, _ name: String, _ inner: String) -> [String: Any]? {
            (root[list] as? [[String: Any]])?.first { $0["name"] as? String == name }?[inner] as? [String: Any]
        }
        guard let contextName = wanted ?? root["current-context"] as? String, !contextName.isEmpty else {
            throw fail("no current-context and no --context given")
        }
        guard let context = named("contexts", contextName, "context") else { throw fail("context '\(contextName)' not found") }
        guard let clusterName = context["cluster"] as? String, let cluster = named("clusters", clusterName, "cluster") else {
            throw fail("the cluster of context '\(contextName)' is not defined")
        }
        guard let server = cluster["server"] as? String else { throw fail("cluster '\(clusterName)' has no server") }
        let user = (context["user"] as? String).flatMap { named("users", $0, "user") } ?? [:]

        func file(_ pathKey: String, _ dataKey: String, in object: [String: Any]) throws(KubeError) -> String? {
            if let p = object[pathKey] as? String { return p.hasPrefix("/") ? p : base + "/" + p }
            guard let data = object[dataKey] as? String else { return nil }
            guard let bytes = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else { throw fail("\(dataKey) is not base64") }
            return try InlineFiles.write(bytes, name: dataKey)
        }
        let ca = try file("certificate-authority", "certificate-authority-data", in: cluster)
        let credentials: KubeClientConfig.Credentials
        if let token = user["token"] as? String {
            credentials = .token(token)
        } else if let tokenFile = user["tokenFile"] as? String {
            credentials = .tokenFile(tokenFile.hasPrefix("/") ? tokenFile : base + "/" + tokenFile)
        } else if let cert = try file("client-certificate", "client-certificate-data", in: user),
                  let key = try file("client-key", "client-key-data", in: user) {
            credentials = .clientCertificate(certFile: cert, keyFile: key)
        } else {
            credentials = .none
        }
        return KubeClientConfig(server: server, caFile: ca,
                                insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"] as? Bool ?? false,
                                credentials: credentials, namespace: context["namespace"] as? String,
                                origin: "kubeconfig \(path) (context \(contextName))")
    }
}

/// Inline certificates and keys, written where only this user can read them (libcurl wants paths).
enum InlineFiles {
    static func write(_ bytes: Data, name: String) throws(KubeError) -> String {
        let dir = NSTemporaryDirectory() + "stream-manager-kube-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let path = dir + "/\(name)-\(UUID().uuidString).pem"
            guard FileManager.default.createFile(atPath: path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
                throw KubeError(.configuration, "cannot write \(path)")
            }
            return path
        } catch let error as KubeError {
            throw error
        } catch {
            throw KubeError(.configuration, "cannot write inline \(name): \(error)")
        }
    }
}
