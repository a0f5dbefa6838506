import Foundation
import Kafka
import StreamConfig
import StreamManagerKit
import TestSupport
import Testing

@Suite("noaa_weather end to end")
struct NOAAEndToEndTests {
    @Test("a noaa_weather source at a local server: one record per alert keyed by alert id, with source headers; later polls add nothing")
    func alertsIntoKafka() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("weather-alerts", partitions: 1)
        let logger = TestLogging.logger(label: "noaa-e2e")
        let source = SourceConfig(sourceType: "noaa_weather", topic: "weather-alerts",
                                  ingestion: IngestionConfig(mode: .realTime, pollingIntervalSeconds: 0.2, maxRecordsPerPoll: 100),
                                  rateLimitPerMinute: 0, cacheTTLSeconds: 0,
                                  connector: ["url": .string("\(server.base)/fixtures/nws_alerts_active.json"),
                                              "user_agent": "stream-manager-tests (ops@example.org)"])
        var kafka = KafkaConfig(bootstrapServers: cluster.bootstrapServers)
        kafka.lingerMs = 5
        var throttling = ThrottlingConfig()
        throttling.enabled = false
        let manager = StreamManagerV2(config: StreamManagerConfig(kafka: kafka, throttling: throttling, sources: ["nws": source]),
                                      logger: logger, useOffsetsTopic: false)
        try await manager.start()
        try await manager.startStream(sourceID: "nws")
        await eventually(timeout: .seconds(15)) { manager.metrics().producer.totalSent >= 2 }
        // Several more polls of the same payload (answered 304), which must add nothing.
        await eventually(timeout: .seconds(15)) {
            guard let api = manager.metrics().streams.values.first?.apiClient else { return false }
            return api.totalRequests >= 3 && api.notModified >= 2
        }
        let metrics = manager.metrics()
        await manager.stop()
        #expect(metrics.producer.totalSent == 2)
        let api = try #require(metrics.streams.values.first?.apiClient)
        #expect(api.totalRequests >= 3 && api.notModified >= 2)

        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: logger)
        try consumer.assign([TopicPartition(topic: "weather-alerts", partition: 0): .beginning])
        var records: [ConsumerRecord] = []
        let until = ContinuousClock.now.advanced(by: .seconds(5))
        while ContinuousClock.now < until && records.count < 3 {
            records += try await consumer.poll(timeout: .milliseconds(200)).records
        }
        await consumer.close()
        #expect(records.map(\.keyString) == ["urn:oid:2.49.0.1.840.0.aa11.001.1", "urn:oid:2.49.0.1.840.0.bb22.002.1"])
        #expect(records.allSatisfy { $0.header("source_id")?.stringValue == "nws" && $0.header("source_type")?.stringValue == "noaa_weather" })
        let event = try JSONSerialization.jsonObject(with: Data(records[0].value ?? [])) as? [String: Any]
        #expect((event?["properties"] as? [String: Any])?["event"] as? String == "Red Flag Warning")
    }
}
