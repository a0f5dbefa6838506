import Foundation
import Kafka
import StreamConfig
import Connectors
import StreamManagerKit
import TestSupport
import Testing

@Suite("StreamManagerV2 end to end on the embedded cluster")
struct StreamManagerV2Tests {
    @Test("a generator source in each ingestion mode delivers every record once, in order", arguments: [
        IngestionMode.realTime, .continuousStreaming, .batch,
    ])
    func eachMode(mode: IngestionMode) async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("gen-out", partitions: 4)
        let manager = StreamManagerV2(config: KitSupport.config(cluster, sources: [
            "gen": KitSupport.generator(topic: "gen-out", mode: mode, total: 300),
        ]), logger: KitSupport.logger)
        try await manager.start()
        let streamID = try await manager.startStream(sourceID: "gen")
        #expect(streamID.wholeMatch(of: /gen_\d{8}_\d{6}_[0-9a-f]{8}/) != nil)
        let seqs = try await KitSupport.sequences(cluster, topic: "gen-out", atLeast: 300)
        #expect(seqs.count == 300)
        #expect(Set(seqs) == Set(0..<300))
        let metrics = manager.metrics()
        #expect(metrics.streams[streamID]?.recordsProcessed == 300)
        #expect(metrics.producer.totalSent == 300)
        #expect(metrics.streamManager.activeStreams == 1)
        await manager.stop()
    }

    @Test("hot and restart-class reconfiguration while running: no gap, no duplicate")
    func zeroDowntimeReconfigure() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("reconf", partitions: 4)
        var source = KitSupport.generator(topic: "reconf", rate: 400, poll: 0.05)
        let manager = StreamManagerV2(config: KitSupport.config(cluster, sources: ["live": source]), logger: KitSupport.logger)
        try await manager.start()
        let first = try await manager.startStream(sourceID: "live")
        #expect(await eventually { KitSupport.processed(manager, first) >= 100 })

        source.ingestion.maxRecordsPerPoll = 40
        source.ingestion.pollingIntervalSeconds = 0.02
        let hot = try await manager.reconfigureStream(sourceID: "live", to: source)
        #expect(hot == .hot(fields: ["ingestion.max_records_per_poll", "ingestion.polling_interval_seconds"]))
        #expect(manager.activeStreams == [first])
        let afterHot = KitSupport.processed(manager, first)
        #expect(await eventually { KitSupport.processed(manager, first) >= afterHot + 100 })

        source.connector["payload_bytes"] = .int(300)
        let restart = try await manager.reconfigureStream(sourceID: "live", to: source)
        guard case .restarted(let second, _) = restart else { Issue.record("expected a restart, got \(restart)"); return }
        #expect(second != first)
        #expect(manager.activeStreams == [second])
        #expect(await eventually { KitSupport.processed(manager, second) >= 100 })
        await manager.stop()

        let seqs = try await KitSupport.sequences(cluster, topic: "reconf", atLeast: 100)
        #expect(seqs.count > 100)
        #expect(seqs.count == Set(seqs).count, "duplicates: \(seqs.count - Set(seqs).count)")
        #expect(Set(seqs) == Set(0..<seqs.count), "gap in \(seqs.sorted().prefix(5))…")
    }

    @Test("after a crash the next manager resumes from the committed cursor without a gap")
    func resumeAfterCrash() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("resume", partitions: 4)
        let config = KitSupport.config(cluster, sources: ["r": KitSupport.generator(topic: "resume", rate: 500, poll: 0.05)])
        let crashed = StreamManagerV2(config: config, logger: KitSupport.logger)
        try await crashed.start()
        let crashedID = try await crashed.startStream(sourceID: "r")
        // Crash only once a cursor past the first records has been committed (about once a second).
        let committed = await eventually(timeout: .seconds(30)) {
            (crashed.metrics().streams[crashedID]?.cursor.flatMap { Int($0) } ?? 0) > 100
        }
        #expect(committed)
        try await Task.sleep(for: .milliseconds(300))  // the test: more records in flight past the committed cursor
        await crashed.abandon()
        let before = try await KitSupport.sequences(cluster, topic: "resume", atLeast: 1)
        #expect(!before.isEmpty)

        let next = StreamManagerV2(config: config, logger: KitSupport.logger)
        try await next.start()
        let nextID = try await next.startStream(sourceID: "r")
        // Wait until the resumed stream has gone past everything the crashed one sent (its records in
        // flight past the committed cursor included), however slowly it runs on a loaded machine.
        let resumedAt = next.committedCursor(forSource: "r")?.cursor.flatMap { Int($0) } ?? 0
        let needed = max(200, (before.max() ?? 0) + 1 - resumedAt + 1)
        #expect(await eventually(timeout: .seconds(30)) { KitSupport.processed(next, nextID) >= needed })
        await next.stop()

        let seqs = try await KitSupport.sequences(cluster, topic: "resume", atLeast: before.count + 1)
        let distinct = Set(seqs)
        let top = distinct.max() ?? 0
        #expect(distinct == Set(0...top), "a record was lost")
        #expect(top > before.max() ?? 0, "the second manager produced nothing new")
        let duplicates = seqs.count - distinct.count
        print("resume after crash: \(seqs.count) records, \(duplicates) duplicates (at least once)")
        // Resumed from a committed cursor, not from zero: far fewer duplicates than records before the crash.
        #expect(duplicates < before.count)
    }

    @Test("unknown and disabled sources give the V1 API's errors")
    func errors() async throws {
        let cluster = try EmbeddedKafkaCluster()
        var off = KitSupport.generator(topic: "x")
        off.enabled = false
        let manager = StreamManagerV2(config: KitSupport.config(cluster, sources: ["off": off]), logger: KitSupport.logger,
                                      useOffsetsTopic: false)
        try await manager.start()
        await #expect(throws: StreamManagerV2.ManagerError.sourceNotConfigured("nope")) {
            try await manager.startStream(sourceID: "nope")
        }
        await #expect(throws: StreamManagerV2.ManagerError.sourceDisabled("off")) {
            try await manager.startStream(sourceID: "off")
        }
        #expect("\(StreamManagerV2.ManagerError.sourceNotConfigured("nope"))" == "Source not configured: nope")
        #expect(manager.healthCheck().components.streams.activeCount == 0)
        await manager.stop()
    }
}

@Suite("V1 compatibility wrapper")
struct StreamManagerV1Tests {
    @Test("StreamManagerV1(producer:).startStreaming runs on V2 and returns a V2 stream id")
    func v1() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("v1-out", partitions: 2)
        let v1 = StreamManagerV1(producer: KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapList),
                               logger: KitSupport.logger)
        let connector = GeneratorConnector(sourceID: "noaa_weather", settings: GeneratorSettings(ratePerSecond: 0, totalRecords: 50))
        let id = try await v1.startStreaming(connector: connector,
                                             config: StreamingConfig(sourceID: "noaa_weather", pollingIntervalSeconds: 0.05, topic: "v1-out"))
        #expect(id.wholeMatch(of: /noaa_weather_\d{8}_\d{6}_[0-9a-f]{8}/) != nil)
        let seqs = try await KitSupport.sequences(cluster, topic: "v1-out", partitions: 2, atLeast: 50)
        #expect(Set(seqs) == Set(0..<50))
        #expect(v1.getMetrics()["messages_sent"] == 50)
        try await v1.stopStreaming(id)
        #expect(v1.activeStreams.isEmpty)
        await v1.stop()
    }
}
