import Kafka
import TestSupport
import Synchronization
import Testing

@Suite("Consumer groups on the embedded cluster")
struct ConsumerGroupTests {
    final class Member: Sendable {
        let consumer: KafkaConsumer
        let events = Collector<RebalanceEvent>()
        let owned = Locked<Set<TopicPartition>>([])
        let polling: Task<Void, Never>

        init(cluster: EmbeddedKafkaCluster, group: String, topic: String) throws {
            var config = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapList, groupID: group)
            config.sessionTimeoutMilliseconds = 6_000
            config.heartbeatIntervalMilliseconds = 500
            let events = self.events, owned = self.owned
            consumer = try KafkaConsumer(configuration: config, logger: KafkaTesting.logger) { event in
                events.append(event)
                owned.withLock { set in
                    switch event {
                    case .assigned(let p): set.formUnion(p)
                    case .revoked(let p), .lost(let p): set.subtract(p)
                    }
                }
            }
            try consumer.subscribe(topics: [topic])
            let consumer = self.consumer
            polling = Task {
                while !Task.isCancelled && !consumer.isClosed { _ = try? await consumer.poll(timeout: .milliseconds(100)) }
            }
        }

        var partitions: Set<TopicPartition> { owned.value }

        func leave() async {
            polling.cancel()
            await polling.value
            await consumer.close()
        }
    }

    @Test("the group generation is known after joining and grows when another member joins")
    func generation() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("generation")
        let group = KafkaTesting.uniqueName("group")
        try cluster.createTopic(topic, partitions: 2)
        let a = try Member(cluster: cluster, group: group, topic: topic)
        #expect(await eventually(timeout: .seconds(30)) { !a.partitions.isEmpty })
        let first = try #require(a.consumer.groupGeneration)
        #expect(first > 0)
        let b = try Member(cluster: cluster, group: group, topic: topic)
        #expect(await eventually(timeout: .seconds(30)) { !b.partitions.isEmpty })
        #expect(await eventually(timeout: .seconds(10)) { (a.consumer.groupGeneration ?? 0) > first })
        #expect(b.consumer.groupGeneration == a.consumer.groupGeneration)
        await b.leave()
        await a.leave()
    }

    @Test("two members split the partitions; when one leaves the other gets them all")
    func splitAndTakeOver() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("grouped")
        let group = KafkaTesting.uniqueName("group")
        try cluster.createTopic(topic, partitions: 4)
        let all = Set((0..<4).map { TopicPartition(topic: topic, partition: Int32($0)) })

        let a = try Member(cluster: cluster, group: group, topic: topic)
        #expect(await eventually(timeout: .seconds(30)) { a.partitions == all })
        let b = try Member(cluster: cluster, group: group, topic: topic)
        let split = await eventually(timeout: .seconds(30)) {
            !a.partitions.isEmpty && !b.partitions.isEmpty && a.partitions.union(b.partitions) == all
                && a.partitions.isDisjoint(with: b.partitions)
        }
        #expect(split)
        #expect(a.events.all.contains { if case .revoked = $0 { true } else { false } })

        await b.leave()
        #expect(await eventually(timeout: .seconds(30)) { a.partitions == all })
        #expect(b.events.all.contains { if case .revoked = $0 { true } else { false } })
        #expect(try a.consumer.assignment() == all.sorted())
        await a.leave()
    }
}
