import Foundation
import Kubernetes
import Synchronization
import TestSupport
import Testing

/// The watcher against the test API server: list, watch, resume, relist, errors, outages.
@Suite("ConfigMap watcher against a Kubernetes API test server", .serialized)
struct ConfigMapWatcherTests {
    static let logger = TestLogging.logger(label: "kube-tests")

    static var fast: ConfigMapWatcher.Timing {
        var t = ConfigMapWatcher.Timing()
        t.initialBackoff = .milliseconds(100)
        t.maxBackoff = .milliseconds(800)
        return t
    }

    /// Collects what the watcher reports.
    final class Recorder: Sendable {
        final class Log: Sendable {
            let changes = Mutex<[ConfigMapChange]>([])
        }
        let log = Log()
        let task: Task<Void, Never>

        init(_ watcher: ConfigMapWatcher) {
            let log = self.log
            task = Task { await watcher.watch { c in log.changes.withLock { $0.append(c) } } }
        }

        var all: [ConfigMapChange] { log.changes.withLock { $0 } }

        /// The data of the newest state seen (nil: absent), and its version.
        var latest: (data: [String: String]?, version: String?) {
            for c in all.reversed() {
                switch c {
                case .listed(let m): return (m?.data, m?.resourceVersion)
                case .applied(let m): return (m.data, m.resourceVersion)
                case .deleted: return (nil, nil)
                case .failed: continue
                }
            }
            return (nil, nil)
        }

        func until(_ timeout: Duration = .seconds(15), _ condition: (Recorder) -> Bool) async -> Bool {
            await eventually(timeout: timeout, every: .milliseconds(25)) { condition(self) }
        }

        deinit { task.cancel() }
    }

    static func watcher(_ server: KubeTestServer, token: String = KubeTestServer.token, caFile: String? = nil) -> ConfigMapWatcher {
        ConfigMapWatcher(client: KubeAPIClient(config: server.clientConfig(token: token, caFile: caFile), logger: logger),
                         namespace: "feeds", name: "stream-config", timing: fast, logger: logger)
    }

    @Test("initial list, then changes one by one; a closed watch resumes from the last version without a relist")
    func listWatchResume() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let server = try await KubeTestServer.start(pki: pki)
        defer { server.stop() }
        let v1 = try await server.put("feeds", "stream-config", data: ["k": "1"])
        let r = Recorder(Self.watcher(server))
        #expect(await r.until { $0.latest.version == v1 })
        #expect(r.all.first == .listed(ConfigMap(name: "stream-config", namespace: "feeds", resourceVersion: v1, data: ["k": "1"])))
        let v2 = try await server.put("feeds", "stream-config", data: ["k": "2"])
        #expect(await r.until { $0.latest.version == v2 && $0.latest.data == ["k": "2"] })
        try await server.put("feeds", "other", data: ["ignored": "yes"])  // another ConfigMap: not ours
        try await Task.sleep(for: .milliseconds(1200))  // the test: a bookmark or two arrive meanwhile
        let before = try await server.stats()
        try await server.action("close-watches")
        let v3 = try await server.put("feeds", "stream-config", data: ["k": "3"])
        #expect(await r.until { $0.latest.version == v3 })
        let after = try await server.stats()
        #expect(after.lists == before.lists, "a closed watch must resume, not relist")
        #expect(after.watches > before.watches)
        // It resumed from a version at least as new as v2 (a bookmark may have moved it further).
        let resumedFrom = Int(after.watchRVs.last ?? "") ?? 0
        #expect(resumedFrom >= Int(v2)!)
        #expect(!r.all.contains { if case .listed = $0 { return $0 != r.all.first } else { return false } })
    }

    @Test("410 Expired, in the stream or as a status, relists and converges; deletion and re-creation are seen")
    func expiredAndDeleted() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let server = try await KubeTestServer.start(pki: pki)
        defer { server.stop() }
        let r = Recorder(Self.watcher(server))
        #expect(await r.until { $0.all.first == .listed(nil) })  // no ConfigMap yet: nothing, not an error
        let v1 = try await server.put("feeds", "stream-config", data: ["k": "1"])
        #expect(await r.until { $0.latest.version == v1 })
        let lists = try await server.stats().lists
        try await server.action("compact")
        try await server.action("expire-watches")
        #expect(try await eventually(timeout: .seconds(15)) { try await server.stats().lists > lists })
        let v2 = try await server.put("feeds", "stream-config", data: ["k": "2"])
        #expect(await r.until { $0.latest.version == v2 })

        try await server.action("expired-as-status", ["enabled": true])
        try await server.action("compact")
        try await server.action("close-watches")
        let v3 = try await server.put("feeds", "stream-config", data: ["k": "3"])
        #expect(await r.until { $0.latest.version == v3 })

        try await server.delete("feeds", "stream-config")
        #expect(await r.until { if case .deleted = $0.all.last { return true } else { return false } })
        let v4 = try await server.put("feeds", "stream-config", data: ["k": "4"])
        #expect(await r.until { $0.latest.version == v4 && $0.latest.data == ["k": "4"] })
    }

    @Test("a wrong token is a clear 401; a wrong CA is a TLS error; both keep retrying")
    func authAndTLS() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let other = try await TestPKI.make()
        defer { other.remove() }
        let server = try await KubeTestServer.start(pki: pki)
        defer { server.stop() }
        let unauthorized = Recorder(Self.watcher(server, token: "wrong"))
        #expect(await unauthorized.until { r in r.all.contains { if case .failed(let m) = $0 { m.contains("401") } else { false } } })
        let untrusted = Recorder(Self.watcher(server, caFile: other.caFile))
        #expect(await untrusted.until { r in r.all.contains { if case .failed(let m) = $0 { m.contains("TLS") } else { false } } })
    }

    @Test("an API server outage is ridden out with backoff, then the watcher converges")
    func outage() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let server = try await KubeTestServer.start(pki: pki)
        defer { server.stop() }
        let v1 = try await server.put("feeds", "stream-config", data: ["k": "1"])
        let r = Recorder(Self.watcher(server))
        #expect(await r.until { $0.latest.version == v1 })
        try await server.action("down", ["seconds": 2])
        let v2 = try await server.put("feeds", "stream-config", data: ["k": "2"])  // admin still works while down
        #expect(await r.until(.seconds(20)) { $0.latest.version == v2 })
        #expect(!r.all.contains { if case .failed = $0 { true } else { false } })  // 503s are not reported as failures
    }
}
