import Kafka
import Testing

@Suite("Fault injection on the embedded cluster")
struct FaultInjectionTests {
    @Test("with the broker down for a few seconds, every record is delivered exactly once")
    func brokerDownExactlyOnce() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("outage")
        try cluster.createTopic(topic, partitions: 2)
        let reports = Collector<DeliveryReport>()
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList),
                                         logger: KafkaTesting.logger) { reports.append($0) }
        for i in 0..<100 { try producer.send(ProducerRecord(topic: topic, key: "k\(i % 7)", value: "\(i)")) }
        try await producer.flush()
        cluster.setBrokerDown()
        for i in 100..<300 {
            try producer.send(ProducerRecord(topic: topic, key: "k\(i % 7)", value: "\(i)"))
            if i % 50 == 0 { try await Task.sleep(for: .milliseconds(500)) }  // the test: sends spread over the outage
        }
        try await Task.sleep(for: .seconds(1))  // the test: the broker stays down a while longer
        cluster.setBrokerUp()
        try await producer.flush(timeout: .seconds(60))
        #expect(reports.count == 300)
        #expect(reports.all.allSatisfy { $0.isDelivered })

        let records = try await KafkaTesting.readAll(bootstrap: cluster.bootstrapList, topic: topic, partitions: 2, count: 300)
        let values = records.compactMap(\.valueString).compactMap(Int.init)
        #expect(values.count == 300)
        #expect(Set(values) == Set(0..<300))
        // Per key, the order of sending is kept (idempotence orders retries).
        for k in 0..<7 {
            let seq = records.filter { $0.keyString == "k\(k)" }.compactMap(\.valueString).compactMap(Int.init)
            #expect(seq == seq.sorted())
        }
        await producer.close()
    }

    @Test("a record that can never be delivered reports its failure")
    func messageTimeout() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("timeout")
        try cluster.createTopic(topic, partitions: 1)
        var config = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapList)
        config.messageTimeoutMilliseconds = 1_500
        let producer = try KafkaProducer(configuration: config, logger: KafkaTesting.logger)
        _ = try await producer.sendAndWait(ProducerRecord(topic: topic, key: nil, value: "warm-up"))
        cluster.setBrokerDown()
        await #expect(throws: KafkaError.self) {
            try await producer.sendAndWait(ProducerRecord(topic: topic, key: nil, value: "lost"))
        }
        do {
            _ = try await producer.sendAndWait(ProducerRecord(topic: topic, key: nil, value: "lost again"))
        } catch let error as KafkaError {
            #expect(error.code == .messageTimedOut)
            #expect(error.isRetriable)
        }
        cluster.setBrokerUp()
        await producer.close()
    }

    @Test("closing with records still queued reports them as failed, not silently dropped")
    func closeReportsPurged() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("purge")
        try cluster.createTopic(topic, partitions: 1)
        let reports = Collector<DeliveryReport>()
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList),
                                         logger: KafkaTesting.logger) { reports.append($0) }
        cluster.setBrokerDown()
        for i in 0..<20 { try producer.send(ProducerRecord(topic: topic, key: nil, value: "\(i)")) }
        await producer.close()
        #expect(reports.count == 20)
        #expect(reports.all.allSatisfy { !$0.isDelivered })
    }

    @Test("request errors injected into Produce are retried transparently")
    func injectedProduceErrors() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("errors")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        _ = try await producer.sendAndWait(ProducerRecord(topic: topic, key: nil, value: "first"))
        cluster.pushRequestErrors(apiKey: 0, [KafkaError.Code(rawValue: 7), KafkaError.Code(rawValue: 7)])  // REQUEST_TIMED_OUT twice
        let report = try await producer.sendAndWait(ProducerRecord(topic: topic, key: nil, value: "second"))
        #expect(report.isDelivered)
        let records = try await KafkaTesting.readAll(bootstrap: cluster.bootstrapList, topic: topic, partitions: 1, count: 2)
        #expect(records.compactMap(\.valueString) == ["first", "second"])
        await producer.close()
    }
}
