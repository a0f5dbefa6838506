import Foundation
import Kafka
import Pipeline
import StreamConfig
import StreamManagerKit
import TestSupport
import Testing

@Suite("DLQ re-driver on the embedded cluster")
struct DeadLetterRedriveTests {
    func dlqHeaders(redrives: Int = 0) -> [KafkaHeader] {
        DeadLetter.headers([KafkaHeader(key: "source_id", string: "shop")], error: "Broker: Topic authorization failed",
                           sourceID: "shop", stage: .produce, attempts: 4, originalTopic: "orders", redrives: redrives,
                           failedAt: Date())
    }

    @Test("due records go back to their topic; a failed re-drive returns to the DLQ counted; the limit parks a record")
    func redrivesBounded() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("orders", partitions: 1)
        try cluster.createTopic("orders.dlq", partitions: 1)
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapList)
        producerConfiguration.properties = ["enable.idempotence": "false", "message.send.max.retries": "0"]
        let setup = try KafkaProducer(configuration: producerConfiguration, logger: KitSupport.logger)
        _ = try await setup.sendAndWait(ProducerRecord(topic: "orders.dlq", key: Array("a".utf8), value: Array("{\"n\":1}".utf8),
                                                       headers: dlqHeaders()))
        _ = try await setup.sendAndWait(ProducerRecord(topic: "orders.dlq", key: Array("b".utf8), value: Array("{\"n\":2}".utf8),
                                                       headers: dlqHeaders(redrives: 2)))
        await setup.close()
        let started = Date()

        // The first re-drive's Produce request is refused, so record a goes back to the DLQ once.
        cluster.pushRequestErrors(apiKey: 0, [KafkaError.Code.messageSizeTooLarge])
        let redriver = DeadLetterRedriver(bootstrapServers: cluster.bootstrapList, producerConfiguration: producerConfiguration,
                                          settings: RedriveSettings(delay: .seconds(1), maxRedrives: 2, groupID: "redrive-test"),
                                          logger: KitSupport.logger)
        let task = Task { await redriver.run(topics: { ["orders.dlq"] }) }
        let done = await eventually(timeout: .seconds(20)) { redriver.metrics.redriven == 1 && redriver.metrics.parked == 1 }
        task.cancel()
        await task.value
        #expect(done, "\(redriver.metrics)")
        #expect(redriver.metrics.redriveFailed == 1)
        #expect(redriver.metrics.topics == ["orders.dlq"])

        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KitSupport.logger)
        try consumer.assign([TopicPartition(topic: "orders", partition: 0): .beginning,
                             TopicPartition(topic: "orders.dlq", partition: 0): .beginning])
        var records: [ConsumerRecord] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while records.count < 4 && ContinuousClock.now < deadline {
            records += try await consumer.poll(timeout: .milliseconds(200)).records
        }
        await consumer.close()
        let delivered = records.filter { $0.topic == "orders" }
        #expect(delivered.count == 1)  // a, after one failed re-drive; b stayed parked
        let a = try #require(delivered.first)
        #expect(a.keyString == "a" && a.valueString == "{\"n\":1}")
        #expect(a.headers == [KafkaHeader(key: "source_id", string: "shop")])  // its own headers, no dlq.*
        let arrived = Date(timeIntervalSince1970: Double(a.timestampMilliseconds ?? 0) / 1000)
        #expect(arrived <= started)  // the record keeps its own timestamp...
        let back = records.filter { $0.topic == "orders.dlq" && $0.offset == 2 }
        let copy = try #require(back.first)  // ...and the failed re-drive left a counted copy in the DLQ
        #expect(copy.header("dlq.redrives")?.stringValue == "1")
        #expect(copy.header("dlq.stage")?.stringValue == "redrive")
        #expect(copy.header("dlq.error")?.stringValue?.contains("MSG_SIZE_TOO_LARGE") == true)
        #expect(Date().timeIntervalSince(started) >= 2)  // two delays of 1 s: nothing was re-driven early

        // The group moved past every settled record: a restarted re-driver has nothing left to do.
        let group = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList, groupID: "redrive-test"),
                                      logger: KitSupport.logger)
        let committed = try await group.committed([TopicPartition(topic: "orders.dlq", partition: 0)])
        await group.close()
        #expect(committed[TopicPartition(topic: "orders.dlq", partition: 0)] == 3)
    }

    @Test("end to end: records the broker refused are re-driven after dlq_redrive.delay_seconds; every seq arrives")
    func managerRedrives() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("refused", partitions: 1)
        try cluster.createTopic("refused.dlq", partitions: 1)
        var config = KitSupport.config(cluster, sources: ["r": KitSupport.generator(topic: "refused", total: 20, maxPerPoll: 20)])
        config.kafka.maxRetries = 0
        config.kafka.properties = ["enable.idempotence": "false", "message.send.max.retries": "0"]
        config.dlqRedrive = DLQRedriveConfig(enabled: true, delaySeconds: 0.5, maxRedrives: 3)
        cluster.pushRequestErrors(apiKey: 0, [KafkaError.Code.messageSizeTooLarge])
        let manager = StreamManagerV2(config: config, logger: KitSupport.logger, useOffsetsTopic: false)
        try await manager.start()
        try await manager.startStream(sourceID: "r")
        let redriven = await eventually(timeout: .seconds(30)) {
            let m = manager.metrics()
            return m.producer.dlqSent > 0 && m.dlqRedrive?.redriven == m.producer.dlqSent
        }
        let metrics = manager.metrics()
        await manager.stop()
        #expect(redriven, "\(metrics.producer) \(String(describing: metrics.dlqRedrive))")
        #expect(metrics.dlqRedrive?.topics == ["refused.dlq"])
        let seqs = try await KitSupport.sequences(cluster, topic: "refused", partitions: 1, atLeast: 20)
        #expect(Set(seqs) == Set(0..<20))
        #expect(seqs.count == 20)
    }
}
