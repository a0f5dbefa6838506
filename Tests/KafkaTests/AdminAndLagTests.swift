import Kafka
import Testing

@Suite("Admin and consumer lag")
struct AdminAndLagTests {
    @Test("ensureTopic falls back to auto-creation on the mock cluster and is idempotent")
    func ensureTopic() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        let name = KafkaTesting.uniqueName("ensured")
        let first = try await admin.ensureTopic(.compacted(name, partitions: 3), timeout: .seconds(2))
        #expect(first.partitions > 0)
        if case .alreadyExisted = first { Issue.record("a new topic cannot already exist") }
        let second = try await admin.ensureTopic(.compacted(name, partitions: 3), timeout: .seconds(2))
        #expect(second == .alreadyExisted(partitions: first.partitions))
        let topics = try await admin.listTopics()
        #expect(topics.contains { $0.name == name })
        try cluster.createTopic("precreated", partitions: 5)
        #expect(try await admin.partitions(of: "precreated")?.count == 5)
        #expect(try await admin.partitions(of: "absent-topic") == nil)
    }

    @Test("lag is high watermark minus the group's committed offset, per partition")
    func lag() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("lagged")
        let group = KafkaTesting.uniqueName("lag-group")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        for i in 0..<10 { try producer.send(ProducerRecord(topic: topic, key: nil, value: "\(i)", partition: Int32(i % 2))) }
        try await producer.flush()

        let query = try ConsumerLagQuery(bootstrapServers: cluster.bootstrapList, group: group, logger: KafkaTesting.logger)
        #expect(try await query.lag(topic: topic).total == 10)  // nothing committed yet

        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList, groupID: group),
                                         logger: KafkaTesting.logger)
        try await consumer.commit([TopicPartition(topic: topic, partition: 0): 3, TopicPartition(topic: topic, partition: 1): 5])
        let lag = try await query.lag(topic: topic)
        #expect(lag.partitions.map(\.lag) == [2, 0])
        #expect(lag.partitions.map(\.committedOffset) == [3, 5])
        #expect(lag.total == 2)
        await consumer.close()
        await query.close()
        await producer.close()
    }
}
