import Foundation
import Kafka
import StreamConfig
import StreamManagerKit
import TestSupport
import Testing

@Suite("Delivery guarantees: backpressure and the dead-letter queue")
struct DeliveryGuaranteeTests {
    @Test("the block overflow strategy loses nothing while the broker is down for a few seconds")
    func blockDuringOutage() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("outage", partitions: 4)
        let config = KitSupport.config(cluster, sources: ["o": KitSupport.generator(topic: "outage", total: 3_000, maxPerPoll: 200)],
                                       overflow: .block, queueMaxSize: 100)
        let manager = StreamManagerV2(config: config, logger: KitSupport.logger, useOffsetsTopic: false)
        try await manager.start()
        cluster.setBrokerDown()
        try await manager.startStream(sourceID: "o")
        try await Task.sleep(for: .seconds(3))  // the test: an outage of a few seconds
        // The queue filled and the stream stopped polling instead of dropping.
        let during = manager.metrics()
        #expect(during.queue.dropped == 0)
        #expect(during.producer.totalSent == 0)
        cluster.setBrokerUp()
        #expect(await eventually(timeout: .seconds(60)) { manager.metrics().producer.totalSent >= 3_000 })
        await manager.stop()
        let seqs = try await KitSupport.sequences(cluster, topic: "outage", atLeast: 3_000)
        #expect(Set(seqs) == Set(0..<3_000))
        #expect(seqs.count == 3_000)
    }

    @Test("records the broker refuses go to <topic>.dlq with the dlq.* headers; nothing is lost")
    func deadLetters() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("refused", partitions: 1)
        try cluster.createTopic("refused.dlq", partitions: 1)
        var config = KitSupport.config(cluster, sources: ["r": KitSupport.generator(topic: "refused", total: 20, maxPerPoll: 20)])
        config.kafka.maxRetries = 0
        config.kafka.properties = ["enable.idempotence": "false", "message.send.max.retries": "0"]
        // The first Produce request is refused as too large: every record in it is final-failed.
        cluster.pushRequestErrors(apiKey: 0, [KafkaError.Code.messageSizeTooLarge])
        let manager = StreamManagerV2(config: config, logger: KitSupport.logger, useOffsetsTopic: false)
        try await manager.start()
        try await manager.startStream(sourceID: "r")
        let settled = await eventually { manager.metrics().producer.dlqSent + manager.metrics().producer.totalSent == 20 }
        #expect(settled, "\(manager.metrics().producer)")
        let metrics = manager.metrics()
        #expect(metrics.producer.dlqSent > 0)
        await manager.stop()

        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KitSupport.logger)
        try consumer.assign([TopicPartition(topic: "refused.dlq", partition: 0): .beginning])
        var dead: [ConsumerRecord] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while dead.count < metrics.producer.dlqSent && ContinuousClock.now < deadline {
            dead += try await consumer.poll(timeout: .milliseconds(200)).records
        }
        await consumer.close()
        let first = try #require(dead.first)
        #expect(first.header("dlq.source_id")?.stringValue == "r")
        #expect(first.header("dlq.stage")?.stringValue == "produce")
        #expect(first.header("dlq.original_topic")?.stringValue == "refused")
        #expect(first.header("dlq.attempts")?.stringValue == "1")
        #expect(first.header("dlq.error")?.stringValue?.contains("MSG_SIZE_TOO_LARGE") == true)
        #expect(first.header("source_id")?.stringValue == "r")  // the record's own headers are kept

        let delivered = try await KitSupport.sequences(cluster, topic: "refused", partitions: 1, atLeast: 20 - dead.count)
        let deadSeqs = dead.compactMap { r -> Int? in
            guard let v = r.value, let o = try? JSONSerialization.jsonObject(with: Data(v)) as? [String: Any] else { return nil }
            return o["seq"] as? Int
        }
        #expect(Set(delivered).union(deadSeqs) == Set(0..<20))
    }
}
