import Foundation
import HTTPTransport
import Logging

/// ConfigMap `get`, `list` and `watch` over libcurl (`HTTPTransport`), TLS verified against the
/// cluster CA unless the configuration says otherwise.
public struct KubeAPIClient: Sendable {
    public let config: KubeClientConfig
    private let http: HTTPClient
    private let tokens: TokenProvider

    public init(config: KubeClientConfig, logger: Logger) {
        self.config = config
        http = HTTPClient(logger: logger)
        tokens = TokenProvider(config.credentials)
    }

    public func getConfigMap(namespace: String, name: String) async throws(KubeError) -> ConfigMap? {
        let response = try await send(path(namespace) + "/" + escape(name), query: [])
        if response.status == 404 { return nil }
        let object = try Self.checked(response)
        guard let map = ConfigMap(object: object) else { throw KubeError(.malformed, "ConfigMap without metadata") }
        return map
    }

    /// The matching ConfigMaps and the list's `resourceVersion` (where a watch starts).
    public func listConfigMaps(namespace: String, name: String?) async throws(KubeError) -> (items: [ConfigMap], resourceVersion: String) {
        let response = try await send(path(namespace), query: selector(name))
        let object = try Self.checked(response)
        let rv = (object["metadata"] as? [String: Any])?["resourceVersion"] as? String ?? ""
        let items = (object["items"] as? [[String: Any]] ?? []).compactMap(ConfigMap.init(object:))
        return (items, rv)
    }

    /// A watch from `resourceVersion` ("" or "0": synthetic ADDED events for what exists first),
    /// ended by the server after about `timeoutSeconds`, in the caller's task: each event goes to
    /// `handle` as the server sends it, until `handle` returns false or the server ends the watch.
    public func watchConfigMaps(namespace: String, name: String?, resourceVersion: String, timeoutSeconds: Int,
                                handle: (WatchEvent) throws -> Bool) async throws {
        var query = selector(name) + [("watch", "1"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", "\(timeoutSeconds)")]
        if !resourceVersion.isEmpty { query.append(("resourceVersion", resourceVersion)) }
        // The transfer may last the whole watch; a little longer than the server's own timeout.
        let request = makeRequest(path(namespace), query: query, timeout: .seconds(timeoutSeconds + 30))
        var parser = WatchEventParser()
        var status = 0
        var errorBody: [UInt8] = []
        do {
            for try await part in http.stream(request) {
                switch part {
                case .head(let code, _):
                    status = code
                case .body(let chunk) where status != 200:
                    errorBody += chunk
                case .body(let chunk):
                    for event in try parser.feed(chunk) { guard try handle(event) else { return } }
                }
            }
            if status != 200 {
                throw KubeError.status(status, body: errorBody)
            }
            for event in try parser.finish() { guard try handle(event) else { return } }
        } catch let error as HTTPError {
            throw KubeError.from(error)
        }
    }

    // MARK: plumbing

    private func path(_ namespace: String) -> String { "/api/v1/namespaces/\(escape(namespace))/configmaps" }

    private func selector(_ name: String?) -> [(String, String)] {
        name.map { [("fieldSelector", "metadata.name=\($0)")] } ?? []
    }

    private func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? s
    }

    private func makeRequest(_ path: String, query: [(String, String)], timeout: Duration) -> HTTPRequest {
        let q = query.map { "\($0.0)=\(escape($0.1))" }.joined(separator: "&")
        var headers = [("Accept", "application/json"), ("User-Agent", "stream-manager")]
        if let token = tokens.token { headers.append(("Authorization", "Bearer \(token)")) }
        var tls = TLSOptions(caFile: config.caFile, insecureSkipVerify: config.insecureSkipTLSVerify)
        if case .clientCertificate(let cert, let key) = config.credentials {
            tls.clientCertificate = cert
            tls.clientKey = key
        }
        return HTTPRequest(url: config.server + path + (q.isEmpty ? "" : "?" + q), headers: headers,
                           connectTimeout: .seconds(10), timeout: timeout, followRedirects: false, acceptGzip: true, tls: tls)
    }

    private func send(_ path: String, query: [(String, String)]) async throws(KubeError) -> HTTPResponse {
        do {
            return try await http.send(makeRequest(path, query: query, timeout: .seconds(30)))
        } catch {
            throw KubeError.from(error)
        }
    }

    private static func checked(_ response: HTTPResponse) throws(KubeError) -> [String: Any] {
        guard response.isSuccess else { throw KubeError.status(response.status, body: response.body) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw KubeError(.malformed, "the API answered \(response.status) with a body that is not a JSON object")
        }
        return object
    }
}

extension CharacterSet {
    /// Unreserved characters only: `=`, `&`, `+` and `/` in values are escaped.
    static let urlQueryValueAllowed = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
