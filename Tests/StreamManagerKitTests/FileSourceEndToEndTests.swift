import Foundation
import Kafka
import StreamConfig
import StreamManagerKit
import TestSupport
import Testing

@Suite("file source end to end")
struct FileSourceEndToEndTests {
    @Test("JSON lines reach the topic; a line that is not JSON goes to the DLQ with dlq.stage transform; nothing is lost")
    func jsonlWithBadLine() async throws {
        let dir = NSTemporaryDirectory() + "file-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "{\"n\":1}\n{\"n\":2}\nnot json\n{\"n\":3}\n".write(toFile: "\(dir)/in.jsonl", atomically: true, encoding: .utf8)
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("lines", partitions: 1)
        try cluster.createTopic("lines.dlq", partitions: 1)
        let source = SourceConfig(sourceType: "file", topic: "lines",
                                  ingestion: IngestionConfig(mode: .realTime, pollingIntervalSeconds: 0.05, maxRecordsPerPoll: 10),
                                  rateLimitPerMinute: 0, cacheTTLSeconds: 0, connector: ["path": .string("\(dir)/in.jsonl")])
        var config = KitSupport.config(cluster, sources: ["lines": source])
        config.manager.sourceAccess = SourceAccessPolicy(fileRoots: [dir])  // outside the working directory
        let manager = StreamManagerV2(config: config, logger: KitSupport.logger)
        try await manager.start()
        try await manager.startStream(sourceID: "lines")
        #expect(await eventually {
            let p = manager.metrics().producer
            return p.totalSent == 3 && p.dlqSent == 1
        }, "\(manager.metrics().producer)")
        await manager.stop()

        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KitSupport.logger)
        try consumer.assign([TopicPartition(topic: "lines", partition: 0): .beginning,
                             TopicPartition(topic: "lines.dlq", partition: 0): .beginning])
        var records: [ConsumerRecord] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while records.count < 4 && ContinuousClock.now < deadline {
            records += try await consumer.poll(timeout: .milliseconds(200)).records
        }
        await consumer.close()
        #expect(records.filter { $0.topic == "lines" }.map(\.valueString) == ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"])
        let bad = try #require(records.first { $0.topic == "lines.dlq" })
        #expect(bad.valueString == "not json")
        #expect(bad.header("dlq.stage")?.stringValue == "transform")
        #expect(bad.header("dlq.error")?.stringValue?.contains("not a JSON value") == true)

        // The committed cursor is past all four lines: a new manager sends nothing again.
        let again = StreamManagerV2(config: config, logger: KitSupport.logger)
        try await again.start()
        try await again.startStream(sourceID: "lines")
        try await Task.sleep(for: .milliseconds(500))  // the test: the restarted stream sends nothing in this time
        let resent = again.metrics().producer
        await again.stop()
        #expect(resent.totalSent == 0 && resent.dlqSent == 0)
    }
}
