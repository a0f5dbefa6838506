import Foundation
import HTTPTransport
import Kafka
import Operator
import Reconciler
import ServiceLifecycle
import StreamConfig
import Synchronization
import TestSupport
import Testing

/// The operator in-process on the embedded cluster: config records in, streams and status records out.
@Suite("operator end to end: config topic → streams → status topic, HTTP endpoints")
struct OperatorEndToEndTests {
    static let logger = TestLogging.logger(label: "operator-tests")
    static let kcat = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Harness {
        let cluster: EmbeddedKafkaCluster
        let producer: KafkaProducer
        let settings: OperatorSettings

        init() throws {
            cluster = try EmbeddedKafkaCluster()
            try cluster.createTopic("stream-config", partitions: 3)
            for t in ["stream-status", "stream-offsets", "t", "u"] { try cluster.createTopic(t, partitions: 1) }
            var config = StreamManagerConfig()
            config.kafka.bootstrapServers = cluster.bootstrapServers
            config.kafka.lingerMs = 5
            config.throttling.enabled = false
            config.manager.statusIntervalSeconds = 1
            settings = OperatorSettings(config: config, bootstrapServers: cluster.bootstrapList, desiredSource: .kafka,
                                        instanceID: "test-1", ensureTopics: false)
            producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: OperatorEndToEndTests.logger)
        }

        /// Writes a config record; returns its `config_version`.
        func put(_ key: String, _ value: String?) async throws -> String {
            let r = try await producer.sendAndWait(ProducerRecord(topic: "stream-config", key: key, value: value))
            return "kafka:\(r.partition):\(r.offset)"
        }

        /// Waits until the status board satisfies `condition` (20 s at most).
        func status(_ condition: @escaping @Sendable (StatusBoard) -> Bool) async throws -> StatusBoard? {
            try await StatusWatch.follow(topic: "stream-status", configuration: .init(bootstrapServers: cluster.bootstrapList),
                                         logger: OperatorEndToEndTests.logger, timeout: .seconds(20)) { board in
                condition(board) ? board : nil
            }
        }
    }

    static func get(_ url: String) async -> (Int, String) {
        do {
            let r = try await HTTPClient().send(HTTPRequest(url: url, timeout: .seconds(5)))
            return (r.status, String(decoding: r.body, as: UTF8.self))
        } catch {
            return (-1, "\(error)")
        }
    }

    @Test("start, hot change, make-before-break, a malformed record rejected while the old config runs, removal, shutdown")
    func lifecycle() async throws {
        let h = try Harness()
        let op = try StreamOperator(settings: h.settings, logger: Self.logger)
        let port = Mutex(0)
        let http = HTTPEndpoints.application(probe: op, host: "127.0.0.1", port: 0, logger: Self.logger) { p in
            port.withLock { $0 = p }
        }
        let group = ServiceGroup(services: [http, op], logger: Self.logger)
        let run = Task { try await group.run() }

        let a1 = #"{"source_type": "generator", "topic": "t", "rate_limit_per_minute": 0, "connector": {"rate_per_second": 50}}"#
        let v1 = try await h.put("a", a1)
        let hash1 = try #require(ConfigLoader.parseSourceDocument(a1, sourceID: "a").value).configHash
        let running = try #require(try await h.status { b in b.sources["a"]?.state == .running && b.sources["a"]?.configHash == hash1 })
        let first = try #require(running.sources["a"])
        #expect(first.configVersion == v1)
        #expect(first.instanceID == "test-1")
        #expect(first.mode == "real_time" && first.topic == "t")
        let streamID = try #require(first.streamID)
        #expect(streamID.hasPrefix("a_"))

        // HTTP: ready after the first plan, metrics of the running stream, the metrics tree.
        let base = "http://127.0.0.1:\(port.withLock { $0 })"
        #expect(await Self.get(base + "/healthz").0 == 200)
        #expect(await Self.get(base + "/readyz").0 == 200)
        await eventually(timeout: .seconds(10)) {
            await Self.get(base + "/metrics").1.contains(#"stream_manager_records_sent_total{source="a"}"#)
        }
        let metrics = await Self.get(base + "/metrics")
        #expect(metrics.0 == 200)
        #expect(metrics.1.contains(#"stream_manager_records_sent_total{source="a"}"#))
        #expect(metrics.1.contains("stream_manager_reconcile_duration_seconds"))
        let tree = await Self.get(base + "/status")
        #expect(tree.0 == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(tree.1.utf8)) as? [String: Any])
        #expect((object["streams"] as? [String: Any])?[streamID] != nil)

        // Hot change: same stream, new hash and version.
        let a2 = a1.replacingOccurrences(of: #""topic": "t""#, with: #""topic": "u""#)
        let hash2 = try #require(ConfigLoader.parseSourceDocument(a2, sourceID: "a").value).configHash
        let v2 = try await h.put("a", a2)
        let hot = try #require(try await h.status { $0.sources["a"]?.configHash == hash2 && $0.sources["a"]?.state == .running })
        #expect(hot.sources["a"]?.streamID == streamID)
        #expect(hot.sources["a"]?.configVersion == v2)

        // Restart-class change: a new stream takes over.
        let a3 = a2.replacingOccurrences(of: #""rate_per_second": 50"#, with: #""rate_per_second": 40"#)
        let hash3 = try #require(ConfigLoader.parseSourceDocument(a3, sourceID: "a").value).configHash
        _ = try await h.put("a", a3)
        let restarted = try #require(try await h.status { $0.sources["a"]?.configHash == hash3 && $0.sources["a"]?.state == .running })
        #expect(restarted.sources["a"]?.streamID != streamID)

        // Malformed: reported with its position, the running config stays.
        let bad = try await h.put("a", "source_type: generator\ningestion: {mode: fast}\n")
        let refused = try #require(try await h.status { $0.sources["a"]?.rejected != nil })
        let a = try #require(refused.sources["a"])
        #expect(a.state == .running && a.configHash == hash3)
        #expect(a.rejected?.configVersion == bad)
        #expect(a.rejected?.error.contains("line 2") == true)
        #expect(op.runtime.runningConfigs["a"]?.configHash == hash3)

        // Removal: STOPPED, then the key is tombstoned.
        _ = try await h.put("a", nil)
        #expect(try await h.status { $0.sources["a"] == nil && $0.managers["test-1"] != nil } != nil)
        #expect(op.runtime.runningSources["a"] == nil)

        await group.triggerGracefulShutdown()
        try await run.value
        let after = try await StatusWatch.snapshot(topic: "stream-status", configuration: .init(bootstrapServers: h.cluster.bootstrapList),
                                                   logger: Self.logger)
        #expect(after.managers["test-1"] == nil)  // heartbeat tombstoned on graceful shutdown
    }

    @Test("records written by kcat -K: start streams; a restarted operator brings them back without a stop", .enabled(if: kcat != nil))
    func kcatAndRestart() async throws {
        let h = try Harness()
        let line = #"k1:{"source_type":"generator","topic":"t","connector":{"rate_per_second":20}}"#
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.kcat!)
        p.arguments = ["-P", "-b", h.cluster.bootstrapServers, "-t", "stream-config", "-K:", "-X", "partitioner=murmur2_random"]
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)

        for round in 1...2 {
            let op = try StreamOperator(settings: h.settings, logger: Self.logger)
            let group = ServiceGroup(services: [op], logger: Self.logger)
            let run = Task { try await group.run() }
            let board = try await h.status { $0.sources["k1"]?.state == .running && $0.managers["test-1"] != nil }
            #expect(board != nil, "round \(round)")
            #expect(op.runtime.runningSources["k1"] != nil)
            await eventually(timeout: .seconds(10)) { (op.runtime.streamReports["k1"]?.recordsProcessed ?? 0) > 0 }
            await group.triggerGracefulShutdown()
            try await run.value
            let stopped = try await StatusWatch.snapshot(topic: "stream-status", configuration: .init(bootstrapServers: h.cluster.bootstrapList),
                                                         logger: Self.logger)
            #expect(stopped.sources["k1"]?.state == .stopped)
            #expect((stopped.sources["k1"]?.recordsProcessed ?? 0) > 0)
        }
    }
}
