import Foundation
import Kafka
import StreamConfig
import StreamManagerKit
import TestSupport
import Testing

/// The manager's one queue arbitrates between sources: records reach Kafka in priority order.
/// The sink is paced (throttling.max_send_rate) so that records of several priorities wait in
/// the queue together, as they do when a burst meets a busy producer.
@Suite("Priority order end to end")
struct PriorityEndToEndTests {
    static func pacedConfig(_ cluster: EmbeddedKafkaCluster, sources: [String: SourceConfig],
                            routing: TopicRoutingConfig = TopicRoutingConfig()) -> StreamManagerConfig {
        var config = KitSupport.config(cluster, sources: sources)
        config.throttling.enabled = true
        config.throttling.maxSendRate = 1_000
        config.kafka.batchSize = 20
        config.topicRouting = routing
        return config
    }

    /// (source_id, seq) of every record in a one-partition topic, in offset order.
    static func records(_ cluster: EmbeddedKafkaCluster, topic: String, count: Int) async throws -> [(String, Int)] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KitSupport.logger)
        try consumer.assign([TopicPartition(topic: topic, partition: 0): .beginning])
        var out: [(String, Int)] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(15))
        while out.count < count && ContinuousClock.now < deadline {
            for r in try await consumer.poll(timeout: .milliseconds(200)).records {
                guard let v = r.value, let o = try? JSONSerialization.jsonObject(with: Data(v)) as? [String: Any],
                      let id = o["source_id"] as? String, let seq = o["seq"] as? Int else { continue }
                out.append((id, seq))
            }
        }
        await consumer.close()
        return out
    }

    @Test("a critical source's records overtake a low source's records already queued")
    func criticalOvertakesLow() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("prio", partitions: 1)
        var slow = KitSupport.generator(topic: "prio", total: 400, maxPerPoll: 400)
        slow.priority = .low
        var urgent = KitSupport.generator(topic: "prio", total: 100, maxPerPoll: 100)
        urgent.priority = .critical
        let manager = StreamManagerV2(config: Self.pacedConfig(cluster, sources: ["slow": slow, "urgent": urgent]),
                                      logger: KitSupport.logger, useOffsetsTopic: false)
        try await manager.start()
        try await manager.startStream(sourceID: "slow")
        #expect(await eventually { manager.metrics().producer.totalSent >= 40 })
        try await manager.startStream(sourceID: "urgent")
        #expect(await eventually { manager.metrics().producer.totalSent >= 500 })
        await manager.stop()

        let order = try await Self.records(cluster, topic: "prio", count: 500)
        #expect(order.count == 500)
        let urgentAt = order.indices.filter { order[$0].0 == "urgent" }
        let first = try #require(urgentAt.first), last = try #require(urgentAt.last)
        #expect(last - first + 1 == 100, "urgent records were interleaved with low ones")
        #expect(order[(last + 1)...].contains { $0.0 == "slow" }, "the low source had finished: nothing was overtaken")
        #expect(order.filter { $0.0 == "urgent" }.map(\.1) == Array(0..<100))  // FIFO within a level
        #expect(order.filter { $0.0 == "slow" }.map(\.1) == Array(0..<400))
    }

    @Test("content rules promote a matching record to CRITICAL and route another to its own topic")
    func contentRules() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("fires", partitions: 1)
        try cluster.createTopic("fires-special", partitions: 1)
        var source = KitSupport.generator(topic: "fires", total: 300, maxPerPoll: 300)
        source.priority = .low
        let routing = TopicRoutingConfig(contentRules: [
            StreamConfig.ContentRule(field: "seq", equals: 250, priority: .critical),
            StreamConfig.ContentRule(field: "seq", equals: 260, topic: "fires-special"),
        ])
        let manager = StreamManagerV2(config: Self.pacedConfig(cluster, sources: ["fires": source], routing: routing),
                                      logger: KitSupport.logger, useOffsetsTopic: false)
        try await manager.start()
        try await manager.startStream(sourceID: "fires")
        #expect(await eventually { manager.metrics().producer.totalSent >= 300 })
        let resolver = manager.metrics().topicResolver
        await manager.stop()
        #expect(resolver.priorityPromoted == 1)
        #expect(resolver.contentUsed == 1)

        let main = try await Self.records(cluster, topic: "fires", count: 299).map(\.1)
        #expect(main.count == 299 && !main.contains(260))
        let promoted = try #require(main.firstIndex(of: 250))
        #expect(promoted < main.firstIndex(of: 100)!, "seq 250 did not overtake the records queued before it")
        #expect(try await Self.records(cluster, topic: "fires-special", count: 1).map(\.1) == [260])
    }
}
