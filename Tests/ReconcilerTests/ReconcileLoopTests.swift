import Foundation
import Kafka
import Reconciler
import StreamConfig
import StreamManagerKit
import Synchronization
import TestSupport
import Testing

@Suite("reconcile loop with a file and the embedded cluster")
struct ReconcileLoopTests {
    final class Outcomes: Sendable {
        let list = Mutex<[ReconcileOutcome]>([])
        func add(_ o: ReconcileOutcome) { list.withLock { $0.append(o) } }
        var names: [String] {
            list.withLock { $0.compactMap { o in
                switch o {
                case .beginning, .released: return nil
                case .started(let id, _, _): return "started \(id)"
                case .reconfigured(let id, _, _): return "reconfigured \(id)"
                case .restarted(let id, _, _, _): return "restarted \(id)"
                case .stopped(let id, _, _): return "stopped \(id)"
                case .rejected(let id, _, let running): return "rejected \(id)\(running ? " (running)" : "")"
                case .failed(let id, _, _, _, _): return "failed \(id)"
                case .restartedOnRequest(let id, _, let reason, _, _): return "restarted \(id) (\(reason))"
                }
            } }
        }
    }

    @Test("start, hot change, restart, broken edit (rejected, still running), removal, and a failing start retried")
    func lifecycle() async throws {
        let cluster = try EmbeddedKafkaCluster()
        for t in ["t", "u"] { try cluster.createTopic(t, partitions: 1) }
        let path = NSTemporaryDirectory() + "reconcile-\(UUID().uuidString).yaml"
        func write(_ sources: String) throws { try ("sources:\n" + sources).write(toFile: path, atomically: true, encoding: .utf8) }
        let a = "  a: {source_type: generator, topic: t, rate_limit_per_minute: 0, connector: {rate_per_second: 5}}\n"
        let b = "  b: {source_type: generator, topic: t, rate_limit_per_minute: 0, connector: {rate_per_second: 5}}\n"
        try write(a + b)
        let logger = TestLogging.logger(label: "reconcile-tests")
        var kafka = KafkaConfig(bootstrapServers: cluster.bootstrapServers)
        kafka.lingerMs = 5
        var throttling = ThrottlingConfig()
        throttling.enabled = false
        // c (below) may reference the variable; it is just not set.
        let access = SourceAccessPolicy(env: ["RECONCILE_TEST_*"])
        let manager = StreamRuntime(config: StreamManagerConfig(kafka: kafka, throttling: throttling,
                                                                manager: ManagerConfig(sourceAccess: access)),
                                    logger: logger, useOffsetsTopic: false)
        try await manager.open()
        let running = Task { try await manager.run() }
        let outcomes = Outcomes()
        let loop = ReconcileLoop(runtime: manager, source: FileSource(path: path, pollInterval: .milliseconds(50), access: access, logger: logger),
                                 logger: logger, retryBase: .milliseconds(200)) { outcomes.add($0) }
        let task = Task { await loop.run() }

        #expect(await eventually(timeout: .seconds(5)) { Set(manager.runningSources.keys) == ["a", "b"] && loop.isReady })
        let bStream = manager.runningSources["b"]
        try write(a + b.replacingOccurrences(of: "topic: t", with: "topic: u"))          // hot
        #expect(await eventually(timeout: .seconds(5)) { manager.runningConfigs["b"]?.topic == "u" })
        #expect(manager.runningSources["b"] == bStream)                                     // in place
        try write(a + b.replacingOccurrences(of: "rate_per_second: 5", with: "rate_per_second: 7"))  // restart class
        #expect(await eventually(timeout: .seconds(5)) { manager.runningSources["b"] != bStream && manager.runningSources["b"] != nil })
        try write(a + "  b: {source_type: generator, topic: t\n")                           // broken
        #expect(await eventually(timeout: .seconds(5)) { outcomes.names.contains("rejected b (running)") })
        #expect(Set(manager.runningSources.keys) == ["a", "b"])                             // nothing changed
        // c's secret is not set here: its start fails (the stream cannot be built) and is retried.
        try write(a + "  c: {source_type: nasa_firms, topic: t, connector: {map_key: \"${RECONCILE_TEST_UNSET}\", area: world}}\n")
        #expect(await eventually(timeout: .seconds(5)) { manager.runningSources["b"] == nil })                    // removed → stopped
        #expect(await eventually(timeout: .seconds(5)) { outcomes.names.filter { $0 == "failed c" }.count >= 2 }) // retried with backoff
        task.cancel()
        await task.value
        await manager.shutdown()
        try await running.value
        let names = outcomes.names
        #expect(Set(names.prefix(2)) == ["started a", "started b"])  // started side by side
        #expect(names.contains("reconfigured b") && names.contains("restarted b") && names.contains("stopped b"))
        #expect(!names.contains("stopped a"))  // a never stopped or restarted across all the edits
    }
}
