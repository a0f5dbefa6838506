import Foundation
import Kafka
import Kubernetes
import Operator
import Reconciler
import ServiceLifecycle
import StreamConfig
import TestSupport
import Testing

/// `--source configmap` end to end: the ConfigMap in the test API server is the desired state.
@Suite("operator with a ConfigMap as desired state", .serialized)
struct ConfigMapOperatorTests {
    static let logger = ConfigMapWatcherTests.logger

    static func document(_ sources: [String: String]) -> [String: String] {
        ["stream_config.yaml": "sources:\n" + sources.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)\n" }.joined()]
    }

    static let a1 = "{source_type: generator, topic: t, rate_limit_per_minute: 0, connector: {rate_per_second: 20}}"

    static func status(_ cluster: EmbeddedKafkaCluster, _ condition: @escaping @Sendable (StatusBoard) -> Bool) async throws -> StatusBoard? {
        try await StatusWatch.follow(topic: "stream-status", configuration: .init(bootstrapServers: cluster.bootstrapList),
                                     logger: logger, timeout: .seconds(20)) { condition($0) ? $0 : nil }
    }

    @Test("edits start, hot-change, restart and stop streams; a broken edit is rejected and changes nothing; 410 relists without a restart")
    func lifecycle() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let server = try await KubeTestServer.start(pki: pki)
        defer { server.stop() }
        let cluster = try EmbeddedKafkaCluster()
        for t in ["stream-config", "stream-status", "stream-offsets", "t", "u"] { try cluster.createTopic(t, partitions: 1) }
        var config = StreamManagerConfig()
        config.kafka.bootstrapServers = cluster.bootstrapServers
        config.throttling.enabled = false
        config.manager.statusIntervalSeconds = 1
        var settings = OperatorSettings(config: config, bootstrapServers: cluster.bootstrapList, desiredSource: .kafka,
                                        instanceID: "cm-1", ensureTopics: false)
        settings.desiredSource = .configMap(.init(client: server.clientConfig(), namespace: "feeds",
                                                  timing: ConfigMapWatcherTests.fast))
        let op = try StreamOperator(settings: settings, logger: Self.logger)
        let group = ServiceGroup(services: [op], logger: Self.logger)
        let run = Task { try await group.run() }

        // No ConfigMap yet: no sources, and ready.
        await eventually(timeout: .seconds(5), every: .milliseconds(25)) { op.isReady }
        #expect(op.isReady && op.runtime.activeStreamCount == 0)

        let v1 = try await server.put("feeds", "stream-config", data: Self.document(["a": Self.a1]))
        let started = try #require(try await Self.status(cluster) { $0.sources["a"]?.state == .running })
        #expect(started.sources["a"]?.configVersion == "configmap:\(v1)")
        let stream = try #require(started.sources["a"]?.streamID)

        // Hot change: same stream.
        let v2 = try await server.put("feeds", "stream-config", data: Self.document(["a": Self.a1.replacingOccurrences(of: "topic: t", with: "topic: u")]))
        let hot = try #require(try await Self.status(cluster) { $0.sources["a"]?.configVersion == "configmap:\(v2)" && $0.sources["a"]?.state == .running })
        #expect(hot.sources["a"]?.streamID == stream && hot.sources["a"]?.topic == "u")

        // Restart-class change: a new stream.
        let a3 = Self.a1.replacingOccurrences(of: "topic: t", with: "topic: u").replacingOccurrences(of: "20", with: "30")
        let v3 = try await server.put("feeds", "stream-config", data: Self.document(["a": a3]))
        let restarted = try #require(try await Self.status(cluster) { $0.sources["a"]?.configVersion == "configmap:\(v3)" && $0.sources["a"]?.state == .running })
        let stream3 = try #require(restarted.sources["a"]?.streamID)
        #expect(stream3 != stream)

        // Broken YAML: rejected on every source it held, the stream untouched, config_error in the heartbeat.
        let v4 = try await server.put("feeds", "stream-config", data: ["stream_config.yaml": "sources:\n  a: {source_type: generator\n"])
        let broken = try #require(try await Self.status(cluster) { $0.sources["a"]?.rejected?.configVersion == "configmap:\(v4)" })
        #expect(broken.sources["a"]?.rejected?.configHash == nil)
        #expect(broken.sources["a"]?.rejected?.error.contains("configmap feeds/stream-config key stream_config.yaml:") == true)
        #expect(broken.sources["a"]?.state == .running && broken.sources["a"]?.configVersion == "configmap:\(v3)")
        #expect(op.runtime.streamID(forSource: "a") == stream3)
        #expect(op.loop.documentError?.configVersion == "configmap:\(v4)")

        // The fix clears the refusal (same config as before: nothing restarts).
        let v5 = try await server.put("feeds", "stream-config", data: Self.document(["a": a3]))
        _ = v5
        #expect(try await Self.status(cluster) { $0.sources["a"]?.rejected == nil } != nil)
        #expect(op.runtime.streamID(forSource: "a") == stream3)

        // 410: relist and converge, with no second start.
        try await server.action("compact")
        try await server.action("expire-watches")
        let v6 = try await server.put("feeds", "stream-config", data: Self.document(["a": a3, "b": Self.a1]))
        #expect(try await Self.status(cluster) { $0.sources["b"]?.state == .running && $0.sources["b"]?.configVersion == "configmap:\(v6)" } != nil)
        #expect(op.runtime.streamID(forSource: "a") == stream3)

        // Deleted: its sources stop and are tombstoned; re-created: they start again.
        try await server.delete("feeds", "stream-config")
        #expect(try await Self.status(cluster) { $0.sources["a"] == nil && $0.sources["b"] == nil } != nil)
        #expect(op.runtime.activeStreamCount == 0)
        _ = try await server.put("feeds", "stream-config", data: Self.document(["a": a3]))
        #expect(try await Self.status(cluster) { $0.sources["a"]?.state == .running } != nil)

        await group.triggerGracefulShutdown()
        try await run.value
    }

    @Test("stream-manager run --source configmap --kubeconfig as a process: edits start and stop streams")
    func subprocess() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let server = try await KubeTestServer.start(pki: pki)
        defer { server.stop() }
        let kubeconfig = try server.kubeconfig(namespace: "feeds")
        let rv = try await server.put("feeds", "stream-config", data: Self.document(["a": Self.a1, "b": Self.a1]))
        let child = try StreamManagerBinary.Child(["run", "--source", "configmap", "--kubeconfig", kubeconfig,
                                                   "--bootstrap-servers", "embedded", "--http-port", "0", "--log-level", "error"])
        let line = try #require(child.waitForLine(prefix: "embedded Kafka cluster: bootstrap.servers="))
        let bootstrap = String(line.dropFirst("embedded Kafka cluster: bootstrap.servers=".count))

        func sources() async throws -> [String: [String: Any]] {
            let r = try StreamManagerBinary.run(["status", "-o", "json", "--bootstrap-servers", bootstrap, "--log-level", "error"])
            let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let list = o?["sources"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: list.compactMap { s in (s["source_id"] as? String).map { ($0, s) } })
        }
        func sourcesEventually(_ condition: ([String: [String: Any]]) -> Bool) async throws -> Bool {
            try await eventually(timeout: .seconds(30), every: .milliseconds(300)) { condition(try await sources()) }
        }
        #expect(try await sourcesEventually { s in
            ["a", "b"].allSatisfy { s[$0]?["state"] as? String == "RUNNING" && s[$0]?["config_version"] as? String == "configmap:\(rv)" }
        })
        _ = try await server.put("feeds", "stream-config", data: Self.document(["a": Self.a1]))
        // b is gone; a's config did not change, so it keeps running as it came from the first version.
        #expect(try await sourcesEventually { s in s["b"] == nil && s["a"]?["config_version"] as? String == "configmap:\(rv)" })
        #expect(child.terminate() == 0)
    }
}
