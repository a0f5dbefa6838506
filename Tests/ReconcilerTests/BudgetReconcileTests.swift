import Foundation
import Kafka
import Reconciler
import StreamConfig
import StreamManagerKit
import TestSupport
import Testing

@Suite("budgets through the config topic: unknown names refused, budgets applied in place")
struct BudgetReconcileTests {
    @Test("a source naming an undefined budget is REJECTED until the budget record arrives; budget edits reach the board without a restart")
    func budgetRecords() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("stream-config", partitions: 1)
        try cluster.createTopic("t", partitions: 1)
        let logger = TestLogging.logger(label: "budget-reconcile-tests")
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: logger)
        func put(_ key: String, _ value: String?) async throws {
            _ = try await producer.sendAndWait(ProducerRecord(topic: "stream-config", key: Array(key.utf8),
                                                              value: value.map { Array($0.utf8) }))
        }
        var throttling = ThrottlingConfig()
        throttling.enabled = false
        let runtime = StreamRuntime(config: StreamManagerConfig(kafka: KafkaConfig(bootstrapServers: cluster.bootstrapServers),
                                                                throttling: throttling),
                                    logger: logger, useOffsetsTopic: false)
        try await runtime.open()
        let running = Task { try await runtime.run() }
        let outcomes = ReconcileLoopTests.Outcomes()
        let source = ConfigTopicSource(topic: "stream-config", configuration: .init(bootstrapServers: cluster.bootstrapList),
                                       logger: logger)
        let loop = ReconcileLoop(runtime: runtime, source: source, logger: logger) { outcomes.add($0) }
        let task = Task { await loop.run() }

        let a = #"{"source_type":"generator","topic":"t","budget":"api","connector":{"rate_per_second":5}}"#
        try await put("a", a)
        #expect(await eventually(timeout: .seconds(10)) { outcomes.names.contains("rejected a") })
        let refusal = outcomes.list.withLock { list in
            list.compactMap { o -> String? in if case .rejected("a", let r, _) = o { r.error } else { nil } }.first
        }
        #expect(refusal?.contains("budget 'api' is not defined") == true, "\(refusal ?? "no refusal")")
        #expect(runtime.runningSources["a"] == nil)

        try await put("__budget:api", #"{"requests":600,"interval_seconds":10}"#)
        #expect(await eventually(timeout: .seconds(10)) { runtime.runningSources["a"] != nil })
        #expect(runtime.budgets.view(of: "a")?.name == "api" && runtime.budgets.view(of: "a")?.share == 600)
        let stream = runtime.runningSources["a"]

        try await put("__budget:api", #"{"requests":60,"interval_seconds":10}"#)
        #expect(await eventually(timeout: .seconds(10)) { runtime.budgets.view(of: "a")?.share == 60 })
        try await put("a", a.replacingOccurrences(of: #","budget":"api""#, with: ""))  // leaves the budget: hot
        #expect(await eventually(timeout: .seconds(10)) { runtime.budgets.budget(of: "a") == nil && runtime.runningConfigs["a"]?.budget == nil })
        #expect(runtime.runningSources["a"] == stream, "budget changes restarted the stream")
        #expect(outcomes.names.contains("reconfigured a"))

        // A refused budget record: the last good budget stands; the refusal is in the desired
        // state (the heartbeat's warnings show it) and nothing running changes.
        try await put("__budget:api", #"{"requests":"many"}"#)
        #expect(await eventually(timeout: .seconds(10)) { loop.desired.budgetRejections["api"] != nil })
        #expect(loop.desired.budgets["api"]?.requests == 60 && runtime.runningSources["a"] == stream)

        task.cancel()
        await task.value
        await runtime.shutdown()
        try await running.value
        await producer.close()
    }
}
