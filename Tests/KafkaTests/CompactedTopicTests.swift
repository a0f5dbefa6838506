import Kafka
import Testing

@Suite("Compacted topic: folding and the initial sync")
struct CompactedTopicTests {
    private func record(_ key: String, _ value: String?, partition: Int32 = 0, offset: Int64, ts: Int64? = nil) -> ConsumerRecord {
        ConsumerRecord(topic: "t", partition: partition, offset: offset, key: Array(key.utf8),
                       value: value.map { Array($0.utf8) }, timestampMilliseconds: ts ?? offset)
    }

    @Test("last value per key wins; tombstones delete; replays change nothing")
    func foldBasics() {
        var fold = CompactedTopicFold()
        #expect(fold.apply(record("a", "1", offset: 0)).change == .upsert(record("a", "1", offset: 0)))
        #expect(fold.apply(record("a", "2", offset: 1)).change == .upsert(record("a", "2", offset: 1)))
        #expect(fold.apply(record("a", "1", offset: 0)).change == .none)  // an older offset is ignored
        #expect(fold.values["a"]?.valueString == "2")
        let tomb = record("a", nil, offset: 2)
        #expect(fold.apply(tomb).change == .delete(key: "a", tombstone: tomb))
        #expect(fold.values.isEmpty)
        #expect(fold.apply(record("b", nil, offset: 3)).change == .none)  // deleting a missing key is no change
    }

    @Test("a key in two partitions resolves to the newest timestamp and is reported")
    func duplicateAcrossPartitions() {
        var fold = CompactedTopicFold()
        _ = fold.apply(record("k", "new", partition: 2, offset: 5, ts: 2_000))
        let (change, duplicate) = fold.apply(record("k", "old", partition: 0, offset: 9, ts: 1_000))
        #expect(change == .none)
        #expect(duplicate?.partitions == [0, 2])
        #expect(duplicate?.winningPartition == 2)
        #expect(fold.values["k"]?.valueString == "new")
        // A newer write in the other partition takes over.
        let newer = record("k", "newest", partition: 0, offset: 10, ts: 3_000)
        #expect(fold.apply(newer).change == .upsert(newer))
        // A newer tombstone deletes the key even though an older copy remains elsewhere.
        let tomb = record("k", nil, partition: 2, offset: 6, ts: 4_000)
        #expect(fold.apply(tomb).change == .delete(key: "k", tombstone: tomb))
    }

    @Test("the reader folds several partitions to the high watermark, then follows changes")
    func readerSyncAndFollow() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("compacted")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        for i in 1...5 { try producer.send(ProducerRecord(topic: topic, key: "k\(i)", value: "v\(i)")) }
        try producer.send(ProducerRecord(topic: topic, key: "k2", value: "v2b"))
        try producer.send(ProducerRecord(topic: topic, key: "k3", value: nil))
        // k4 written to a second partition with an older timestamp, as another partitioner would.
        let home = Murmur2Partitioner.partition(forKey: "k4", partitionCount: 3)
        var stray = ProducerRecord(topic: topic, key: "k4", value: "stale", partition: (home + 1) % 3)
        stray.timestampMilliseconds = 1_000
        try producer.send(stray)
        try await producer.flush()

        let reader = CompactedTopicReader(topic: topic, configuration: .init(bootstrapServers: cluster.bootstrapList),
                                          logger: KafkaTesting.logger)
        var iterator = reader.events().makeAsyncIterator()
        var duplicates: [CompactedTopicFold.DuplicateKey] = []
        var snapshot: [String: ConsumerRecord]?
        while snapshot == nil, let event = try await iterator.next() {
            switch event {
            case .initDone(let values): snapshot = values
            case .duplicateKey(let d): duplicates.append(d)
            default: Issue.record("change before initDone: \(event)")
            }
        }
        let values = try #require(snapshot)
        #expect(values.mapValues { $0.valueString } == ["k1": "v1", "k2": "v2b", "k4": "v4", "k5": "v5"])
        #expect(duplicates.map(\.key) == ["k4"])

        try producer.send(ProducerRecord(topic: topic, key: "k6", value: "v6"))
        try producer.send(ProducerRecord(topic: topic, key: "k1", value: nil))
        try await producer.flush()
        var changes: [String] = []
        while changes.count < 2, let event = try await iterator.next() {
            switch event {
            case .upsert(let r): changes.append("upsert \(r.keyString!)=\(r.valueString!)")
            case .delete(let key, _): changes.append("delete \(key)")
            default: break
            }
        }
        #expect(changes == ["upsert k6=v6", "delete k1"] || changes == ["delete k1", "upsert k6=v6"])
        await producer.close()
    }

    @Test("an empty or missing topic syncs to an empty snapshot and picks up the topic when it appears")
    func missingTopic() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("later")
        let reader = CompactedTopicReader(topic: topic, configuration: .init(bootstrapServers: cluster.bootstrapList),
                                          logger: KafkaTesting.logger, partitionRefreshInterval: .milliseconds(200))
        var iterator = reader.events().makeAsyncIterator()
        #expect(try await iterator.next() == .initDone([:]))
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        _ = try await producer.sendAndWait(ProducerRecord(topic: topic, key: "a", value: "1"))
        guard case .upsert(let r) = try await iterator.next() else { Issue.record("expected upsert"); return }
        #expect(r.keyString == "a")
        await producer.close()
    }

    @Test("an unreachable cluster never produces an initial snapshot")
    func unreachable() async throws {
        let reader = CompactedTopicReader(topic: "t", configuration: .init(bootstrapServers: ["127.0.0.1:1"]),
                                          logger: KafkaTesting.logger)
        let task = Task { try await reader.snapshot() }
        try await Task.sleep(for: .seconds(2))  // the test: no snapshot in this time
        task.cancel()
        let result = await task.result
        #expect(throws: (any Error).self) { try result.get() }
    }
}
