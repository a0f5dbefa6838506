import Foundation
import Kafka
import StreamConfig
import StreamManagerKit
import TestSupport
import Testing

@Suite("Consumer-lag throttling end to end")
struct ThrottlingTests {
    @Test("a consumer group that falls behind makes the sink back off; once it catches up, sending recovers")
    func lagThrottles() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("throttled", partitions: 2)
        var config = KitSupport.config(cluster, sources: ["t": KitSupport.generator(topic: "throttled", rate: 400, poll: 0.05)])
        config.kafka.batchSize = 50
        config.throttling.enabled = true
        config.throttling.consumerGroup = "slow-readers"
        config.throttling.targetConsumerLag = 100
        config.throttling.criticalConsumerLag = 300
        config.throttling.recoveryCycles = 2
        config.throttling.maxSendRate = 0
        let manager = StreamManagerV2(config: config, logger: KitSupport.logger, useOffsetsTopic: false,
                                      lagCheckInterval: .milliseconds(200))
        try await manager.start()
        try await manager.startStream(sourceID: "t")

        // Nobody in "slow-readers" commits: the lag grows past critical and the sink backs off.
        #expect(await eventually(timeout: .seconds(20)) { manager.metrics().throttling.currentState == "backoff" })
        let throttled = manager.metrics().throttling
        #expect(throttled.throttledCount > 0)
        #expect((throttled.consumerLag ?? 0) >= 300)

        // The group catches up (commits the end of every partition): the throttler steps back to allow.
        let reader = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList, groupID: "slow-readers"),
                                       logger: KitSupport.logger)
        let probe = try ConsumerLagQuery(bootstrapServers: cluster.bootstrapList, group: "probe", logger: KitSupport.logger)
        let catchUp = Task {
            while !Task.isCancelled {
                let lag = try await probe.lag(topic: "throttled")
                var ends: [TopicPartition: Int64] = [:]
                for p in lag.partitions { ends[TopicPartition(topic: "throttled", partition: p.partition)] = p.highWatermark }
                try await reader.commit(ends)
                try await Task.sleep(for: .milliseconds(100))  // the test: a reader that catches up at its own pace
            }
        }
        #expect(await eventually(timeout: .seconds(40)) { manager.metrics().throttling.currentState == "allow" })
        #expect(manager.metrics().throttling.rateAdjustments >= 2)
        catchUp.cancel()
        await probe.close()
        await reader.close()
        await manager.stop()
    }
}
