import Foundation
import Kafka
import Pipeline
import StreamConfig
import StreamManagerKit
import Synchronization
import TestSupport
import Testing

/// Every setting the configuration reference lists as hot takes effect on the running stream,
/// which keeps its stream id: each case changes one key and looks at what changes outside —
/// where records land, their order under pressure, the dead-letter topic, the requests a real
/// local HTTP server receives and how long a stalled transfer is given.
@Suite("every hot setting takes effect in place", .serialized)
struct HotSettingsTests {
    static let logger = TestLogging.logger(label: "hot-settings-tests")

    /// One embedded cluster and one manager running a single source `s`.
    final class Harness: @unchecked Sendable {
        let cluster: EmbeddedKafkaCluster
        let manager: StreamManagerV2
        let streamID: String

        init(_ source: SourceConfig, throttle maxSendRate: Double? = nil, extra: [String: SourceConfig] = [:],
             topics: [String] = []) async throws {
            cluster = try EmbeddedKafkaCluster()
            for t in topics { try cluster.createTopic(t, partitions: 1) }
            var kafka = KafkaConfig(bootstrapServers: cluster.bootstrapServers)
            kafka.lingerMs = 5
            kafka.retryBackoffBase = 0.01
            var throttling = ThrottlingConfig()
            throttling.enabled = maxSendRate != nil
            if let maxSendRate { throttling.maxSendRate = maxSendRate }
            var config = StreamManagerConfig(kafka: kafka, throttling: throttling, queueOverflowStrategy: .block,
                                             sources: extra.merging(["s": source]) { a, _ in a })
            config.manager.sourceAccess.fileRoots = ["/"]
            manager = StreamManagerV2(config: config, logger: HotSettingsTests.logger, useOffsetsTopic: false)
            try await manager.start()
            streamID = try await manager.startStream(sourceID: "s")
        }

        /// Applies `change` to the running source and checks it was applied in place.
        func change(_ change: (inout SourceConfig) -> Void) async throws {
            var source = try #require(manager.runningConfigs["s"])
            change(&source)
            let outcome = try await manager.reconfigureStream(sourceID: "s", to: source)
            guard case .hot = outcome else { throw TestFailure("not applied in place: \(outcome)") }
            #expect(manager.runningSources["s"] == streamID)
        }

        var processed: Int { manager.streamReports["s"]?.recordsProcessed ?? 0 }
        var lastError: String? { manager.streamReports["s"]?.lastError }

        /// Records processed during `seconds`.
        func processed(during seconds: Double) async -> Int {
            let before = processed
            try? await Task.sleep(for: .seconds(seconds))  // the test: a record rate measured over this window
            return processed - before
        }

        /// The records of a topic (auto-created topics have 4 partitions; `topics` of `init` have 1).
        func records(_ topic: String, atLeast count: Int, partitions: Int = 4,
                     timeout: Duration = .seconds(15)) async throws -> [ConsumerRecord] {
            try await records(topic, partitions: partitions, timeout: timeout) { $0.count >= count }
        }

        /// The records of a topic, read from the beginning until `done` holds for them or `timeout` passes.
        func records(_ topic: String, partitions: Int, timeout: Duration,
                     until done: ([ConsumerRecord]) -> Bool) async throws -> [ConsumerRecord] {
            let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: HotSettingsTests.logger)
            try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map {
                (TopicPartition(topic: topic, partition: Int32($0)), KafkaOffset.beginning)
            }))
            var out: [ConsumerRecord] = []
            let deadline = ContinuousClock.now + timeout
            while !done(out), ContinuousClock.now < deadline {
                out += try await consumer.poll(maxRecords: 1_000, timeout: .milliseconds(100)).records
            }
            await consumer.close()
            return out
        }

        func stop() async { await manager.stop() }
    }

    static func generator(_ connector: ConfigObject, mode: IngestionMode = .realTime, topic: String = "hot") -> SourceConfig {
        SourceConfig(sourceType: "generator", topic: topic, ingestion: IngestionConfig(mode: mode, pollingIntervalSeconds: 0.1),
                     rateLimitPerMinute: 0, connector: connector)
    }

    static func http(_ server: FixtureServer, path: String, polling: Double = 0.05, rate: Int = 0, cache: Double = 0,
                     retries: Int = 3, timeout: Double = 10) -> SourceConfig {
        SourceConfig(sourceType: "http_json", topic: "hot-http",
                     ingestion: IngestionConfig(pollingIntervalSeconds: polling), rateLimitPerMinute: rate,
                     timeoutSeconds: timeout, cacheTTLSeconds: cache, maxRetries: retries,
                     connector: ["url": .string("\(server.base)\(path)"), "records_path": "data.items"])
    }

    /// Requests the server got so far for paths starting with `prefix`.
    static func requests(_ server: FixtureServer, _ prefix: String) async throws -> Int {
        try await server.requests().filter { ($0["path"] as? String)?.hasPrefix(prefix) == true }.count
    }

    /// Requests the server got for paths starting with `prefix` during `seconds`.
    static func requests(_ server: FixtureServer, _ prefix: String, during seconds: Double) async throws -> Int {
        let before = try await requests(server, prefix)
        try await Task.sleep(for: .seconds(seconds))  // the test: a request rate measured over this window
        return try await requests(server, prefix) - before
    }

    // MARK: where records land

    @Test("topic: records of the same stream land in the new topic")
    func topic() async throws {
        let h = try await Harness(Self.generator(["rate_per_second": 100]))
        _ = try await h.records("hot", atLeast: 20)
        try await h.change { $0.topic = "hot-moved" }
        let moved = try await h.records("hot-moved", atLeast: 20)
        #expect(moved.count >= 20)
        await h.stop()
    }

    @Test("dlq_topic: the next malformed line goes to the new dead-letter topic")
    func dlqTopic() async throws {
        let file = NSTemporaryDirectory() + "hot-dlq-\(UUID().uuidString).jsonl"
        try "{\"ok\":1}\nnot json 1\n".write(toFile: file, atomically: true, encoding: .utf8)
        var source = SourceConfig(sourceType: "file", topic: "lines", ingestion: IngestionConfig(pollingIntervalSeconds: 0.1),
                                  rateLimitPerMinute: 0, dlqTopic: "dead-a",
                                  connector: ["path": .string(file), "follow": true])
        source.cacheTTLSeconds = 60  // the default; a followed file is never answered from the cache
        let h = try await Harness(source)
        #expect(try await h.records("dead-a", atLeast: 1).count == 1)
        try await h.change { $0.dlqTopic = "dead-b" }
        let handle = try #require(FileHandle(forWritingAtPath: file))
        handle.seekToEndOfFile()
        handle.write(Data("not json 2\n".utf8))
        try handle.close()
        let b = try await h.records("dead-b", atLeast: 1)
        #expect(b.count == 1 && b.first?.value.map { String(decoding: $0, as: UTF8.self) } == "not json 2")
        #expect(try await h.records("dead-a", atLeast: 2, timeout: .seconds(2)).count == 1)
        await h.stop()
    }

    @Test("priority: raised to critical, the source's new records overtake another source's backlog")
    func priority() async throws {
        // A slow sink (100 records/s) and a backlog of 1,000 from `a`; `s` emits 40/s.
        let backlog = Self.generator(["rate_per_second": 0, "total_records": 1000], topic: "prio")
        let h = try await Harness(Self.generator(["rate_per_second": 40], topic: "prio"), throttle: 100,
                                  extra: ["a": backlog], topics: ["prio"])
        _ = try await h.manager.startStream(sourceID: "a")
        try await Task.sleep(for: .milliseconds(500))  // the test: the backlog is queued before the change
        try await h.change { $0.priority = .critical }
        let source = { (r: ConsumerRecord) in r.headers.first { $0.key == "source_id" }?.stringValue }
        // Read until the whole backlog is in: how long that takes depends on the machine's load, the
        // order does not.
        let records = try await h.records("prio", partitions: 1, timeout: .seconds(60)) { records in
            records.count { source($0) == "a" } >= 1000
        }
        let lastBacklog = try #require(records.lastIndex { source($0) == "a" })
        let ahead = records[..<lastBacklog].filter { source($0) == "s" }.count
        #expect(records.filter { source($0) == "a" }.count == 1000)
        // Without the change, `s`'s records would queue behind the whole backlog (about 20 ahead).
        #expect(ahead >= 80, "only \(ahead) of the critical source's records went ahead of the backlog")
        await h.stop()
    }

    // MARK: what the HTTP server sees

    @Test("rate_limit_per_minute: the server sees the new request rate")
    func rateLimit() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let h = try await Harness(Self.http(server, path: "/pages/1?case=rate", rate: 60))
        _ = try await Self.requests(server, "/pages/1?case=rate", during: 1.5)  // past the first burst
        let slow = try await Self.requests(server, "/pages/1?case=rate", during: 3)
        try await h.change { $0.rateLimitPerMinute = 1200 }
        let fast = try await Self.requests(server, "/pages/1?case=rate", during: 3)
        #expect(slow <= 5 && fast >= 4 * max(slow, 3), "\(slow) requests in 3 s at 60/min, \(fast) at 1200/min")
        await h.stop()
    }

    @Test("ingestion.polling_interval_seconds: the server sees the new polling period")
    func pollingInterval() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let h = try await Harness(Self.http(server, path: "/pages/1?case=poll", polling: 2))
        try await waitFor("the first poll") { try await Self.requests(server, "/pages/1?case=poll") >= 1 }
        let slow = try await Self.requests(server, "/pages/1?case=poll", during: 2)
        try await h.change { $0.ingestion.pollingIntervalSeconds = 0.05 }
        let fast = try await Self.requests(server, "/pages/1?case=poll", during: 2)
        #expect(slow <= 2 && fast >= 10, "\(slow) requests in 2 s polling every 2 s, \(fast) every 0.05 s")
        await h.stop()
    }

    @Test("cache_ttl_seconds: from answered-by-cache to a request on every poll")
    func cacheTTL() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let h = try await Harness(Self.http(server, path: "/pages/1?case=cache", cache: 60))
        // Warm: the first polls (a new cursor each) are over once a poll is answered from the cache.
        try await waitFor("a poll answered from the cache") {
            (h.manager.metrics().streams[h.streamID]?.apiClient.cacheHitRate ?? 0) > 0
        }
        let cached = try await Self.requests(server, "/pages/1?case=cache", during: 2)
        try await h.change { $0.cacheTTLSeconds = 0 }
        let uncached = try await Self.requests(server, "/pages/1?case=cache", during: 2)
        #expect(cached == 0 && uncached >= 10, "\(cached) requests in 2 s cached, \(uncached) uncached")
        await h.stop()
    }

    @Test("max_retries: a failing poll is retried as often as the new setting says")
    func maxRetries() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let path = "/flaky/100000/nws_alerts_active.json?case=retries"
        var source = Self.http(server, path: path, polling: 1, retries: 0)
        source.sourceType = "noaa_weather"
        source.connector = ["url": .string("\(server.base)\(path)")]
        let h = try await Harness(source)
        try await waitFor("the first poll") { try await Self.requests(server, "/flaky/100000") >= 1 }
        let once = try await Self.requests(server, "/flaky/100000", during: 3)
        try await h.change { $0.maxRetries = 5 }
        let retried = try await Self.requests(server, "/flaky/100000", during: 3)
        #expect(once <= 4 && retried >= 3 * max(once, 2), "\(once) requests in 3 s without retries, \(retried) with 5")
        await h.stop()
    }

    @Test("timeout_seconds: the transfer to a server that stalls is cut at the new timeout")
    func timeout() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        var source = Self.http(server, path: "/slow/2/nws_alerts_active.json?case=timeout", polling: 0.1, retries: 0)
        source.sourceType = "noaa_weather"
        source.connector = ["url": .string("\(server.base)/slow/2/nws_alerts_active.json?case=timeout")]
        let h = try await Harness(source)
        #expect(await eventually(timeout: .seconds(15)) { h.processed > 0 })  // 2 s answers arrive within 10 s
        #expect(h.lastError == nil)
        try await h.change { $0.timeoutSeconds = 0.5 }
        let began = ContinuousClock.now
        #expect(await eventually(timeout: .seconds(8)) { (h.lastError ?? "").contains("timed out") }, "\(h.lastError ?? "no error")")
        #expect(ContinuousClock.now - began < .seconds(5))
        await h.stop()
    }

    // MARK: how much and how often the ingestion loop takes

    @Test("ingestion.max_records_per_poll: more records per poll at the same period")
    func maxRecordsPerPoll() async throws {
        var source = Self.generator(["rate_per_second": 2000])
        source.ingestion.maxRecordsPerPoll = 5
        let h = try await Harness(source)
        let few = await h.processed(during: 2)
        try await h.change { $0.ingestion.maxRecordsPerPoll = 1000 }
        _ = await h.processed(during: 0.5)
        let many = await h.processed(during: 2)
        #expect(few <= 150 && many >= 5 * max(few, 20), "\(few) records in 2 s at 5 a poll, \(many) at 1000")
        await h.stop()
    }

    @Test("ingestion.buffer_size and buffer_flush_interval_seconds: continuous streaming flushes at the new value",
          arguments: ["buffer_size", "buffer_flush_interval_seconds"])
    func buffer(_ key: String) async throws {
        var source = Self.generator(["rate_per_second": 200], mode: .continuousStreaming)
        source.ingestion.bufferSize = 100_000
        source.ingestion.bufferFlushIntervalSeconds = 60
        let h = try await Harness(source)
        let held = await h.processed(during: 1.5)
        try await h.change {
            if key == "buffer_size" { $0.ingestion.bufferSize = 10 } else { $0.ingestion.bufferFlushIntervalSeconds = 0.2 }
        }
        let flowing = await h.processed(during: 2)
        #expect(held == 0 && flowing >= 100, "\(key): \(held) records while buffering, \(flowing) after the change")
        await h.stop()
    }

    @Test("ingestion.batch_size: a scheduled batch takes the new size")
    func batchSize() async throws {
        var source = Self.generator(["rate_per_second": 2000], mode: .batch)
        source.ingestion.batchSize = 5
        source.ingestion.scheduleIntervalSeconds = 0.5
        let h = try await Harness(source)
        let small = await h.processed(during: 2)
        try await h.change { $0.ingestion.batchSize = 1000 }
        _ = await h.processed(during: 0.6)
        let large = await h.processed(during: 2)
        #expect(small <= 30 && large >= 10 * max(small, 10), "\(small) records in 2 s at 5 a batch, \(large) at 1000")
        await h.stop()
    }

    @Test("ingestion.schedule_interval_seconds: batches run at the new period")
    func scheduleInterval() async throws {
        var source = Self.generator(["rate_per_second": 2000], mode: .batch)
        source.ingestion.batchSize = 5
        source.ingestion.scheduleIntervalSeconds = 60
        let h = try await Harness(source)
        try await Task.sleep(for: .milliseconds(300))  // the test: the run at start is over before the window opens
        let rare = await h.processed(during: 2)
        try await h.change { $0.ingestion.scheduleIntervalSeconds = 0.1 }
        let often = await h.processed(during: 2)
        #expect(rare == 0 && often >= 40, "\(rare) records in 2 s every 60 s, \(often) every 0.1 s")
        await h.stop()
    }
}
