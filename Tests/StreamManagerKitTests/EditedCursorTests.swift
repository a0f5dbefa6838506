import Foundation
import Kafka
import StreamConfig
import StreamManagerKit
import TestSupport
import Testing

/// A source the runtime stopped and starts again resumes from the offsets topic as it is then:
/// its own final cursor when nobody edited it, the edited cursor, or nothing after a reset.
@Suite("A stopped source resumes from the offsets topic as it is when it starts again")
struct EditedCursorTests {
    /// The seqs of `all` not in `before`, repeats counted.
    static func added(_ all: [Int], since before: [Int]) -> [Int] {
        var remaining = Dictionary(before.map { ($0, 1) }, uniquingKeysWith: +)
        return all.filter { seq in
            guard let n = remaining[seq], n > 0 else { return true }
            remaining[seq] = n - 1
            return false
        }
    }

    /// Starts `e`, lets it send at least `count` records, stops it; returns every seq of its topic.
    static func run(_ manager: StreamManagerV2, _ cluster: EmbeddedKafkaCluster, count: Int, after before: [Int]) async throws -> [Int] {
        let stream = try await manager.startStream(sourceID: "e")
        #expect(await eventually(timeout: .seconds(30)) { KitSupport.processed(manager, stream) >= count })
        try await manager.stopStream("e")
        return try await KitSupport.sequences(cluster, topic: "edit-out", atLeast: before.count + count)
    }

    @Test("stop → start continues exactly; an edited cursor is where it resumes; a reset starts it as new")
    func stopEditStart() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("edit-out", partitions: 4)
        let config = KitSupport.config(cluster, sources: ["e": KitSupport.generator(topic: "edit-out", rate: 500, poll: 0.05)])
        let manager = StreamManagerV2(config: config, logger: KitSupport.logger)
        try await manager.start()
        let store = try OffsetStore(topic: config.manager.offsetsTopic, bootstrapServers: cluster.bootstrapList,
                                    logger: KitSupport.logger)

        let first = try await Self.run(manager, cluster, count: 100, after: [])
        let second = try await Self.run(manager, cluster, count: 100, after: first)
        #expect(second.count == Set(second).count, "duplicates across the stop")
        #expect(Set(second) == Set(0..<second.count), "a gap across the stop")
        #expect(manager.committedCursor(forSource: "e")?.cursor == String(second.count))

        var edited = try #require(manager.committedCursor(forSource: "e"))
        edited.cursor = "5000"
        try await store.write(sourceID: "e", edited)
        let third = try await Self.run(manager, cluster, count: 100, after: second)
        let afterSet = Self.added(third, since: second)
        #expect(afterSet.min() == 5000 && Set(afterSet) == Set(5000..<(5000 + afterSet.count)), "\(afterSet.sorted().prefix(5))…")

        try await store.write(sourceID: "e", nil)
        let fourth = try await Self.run(manager, cluster, count: 100, after: third)
        let afterReset = Self.added(fourth, since: third)
        #expect(afterReset.min() == 0 && Set(afterReset) == Set(0..<afterReset.count), "\(afterReset.sorted().prefix(5))…")

        await store.close()
        await manager.stop()
    }

    @Test("a source that has not run here since the cursors were read starts from a cursor edited meanwhile")
    func editBeforeFirstStart() async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("edit-out", partitions: 4)
        let config = KitSupport.config(cluster, sources: ["e": KitSupport.generator(topic: "edit-out", rate: 500, poll: 0.05)])
        let manager = StreamManagerV2(config: config, logger: KitSupport.logger)
        try await manager.start()
        let store = try OffsetStore(topic: config.manager.offsetsTopic, bootstrapServers: cluster.bootstrapList,
                                    logger: KitSupport.logger)
        try await store.write(sourceID: "e", CommittedCursor(cursor: "5000", configHash: "edited", streamID: ""))
        await store.close()
        try await Task.sleep(for: .seconds(1))  // the test: the runtime's follower reads the edit (it polls every 40 ms when idle)

        let seqs = try await Self.run(manager, cluster, count: 100, after: [])
        #expect(seqs.min() == 5000 && Set(seqs) == Set(5000..<(5000 + seqs.count)), "\(seqs.sorted().prefix(5))…")
        await manager.stop()
    }
}
