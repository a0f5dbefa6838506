import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Pipeline
import StreamConfig

@Suite("PriorityQueue")
struct PriorityQueueTests {
    // MARK: order

    @Test func servesHigherPriorityFirstAcrossSourcesAndFIFOWithinALevel() async throws {
        let queue = PriorityQueue(maxSize: 100)
        _ = try await queue.enqueue([testRecord("noaa", 0, .low), testRecord("noaa", 1, .normal), testRecord("noaa", 2, .low)])
        _ = try await queue.enqueue([testRecord("firms", 0, .high), testRecord("firms", 1, .critical)])
        _ = try await queue.enqueue([testRecord("iot", 0, .normal), testRecord("iot", 1, .critical)])

        let first = queue.tryDequeue(max: 3)
        #expect(recordLabels(first) == ["firms:1", "iot:1", "firms:0"])
        let rest = await queue.dequeue(max: 10)
        #expect(recordLabels(rest) == ["noaa:1", "iot:0", "noaa:0", "noaa:2"])
        #expect(queue.tryDequeue(max: 10).isEmpty)
    }

    @Test func dequeueWaitsForRecords() async throws {
        let queue = PriorityQueue()
        let consumer = Task { await queue.dequeue(max: 5) }
        try await waitFor("queue.waiterCount == 1", every: .milliseconds(1)) { queue.waiterCount == 1 }
        _ = try await queue.enqueue([testRecord("a", 0), testRecord("a", 1)])
        #expect(recordLabels(await consumer.value) == ["a:0", "a:1"])
        #expect(queue.waiterCount == 0)
    }

    @Test func mixedBatchesKeepOrderWhenSplitAcrossDequeues() async throws {
        let queue = PriorityQueue(maxSize: 100)
        // One batch mixing priorities and streams, as content rules and shared callers produce.
        _ = try await queue.enqueue([testRecord("a", 0), testRecord("a", 1, .high), testRecord("a", 2),
                                     testRecord("b", 0), testRecord("b", 1, .high), testRecord("a", 3)])
        _ = try await queue.enqueue([testRecord("a", 4), testRecord("a", 5, .high)])
        #expect(recordLabels(queue.tryDequeue(max: 2)) == ["a:1", "b:1"])
        #expect(recordLabels(queue.tryDequeue(max: 2)) == ["a:5", "a:0"])
        #expect(recordLabels(queue.tryDequeue(max: 1)) == ["a:2"])
        #expect(queue.count(streamID: "a-stream") == 2 && queue.count(streamID: "b-stream") == 1)
        #expect(recordLabels(queue.tryDequeue(max: 10)) == ["b:0", "a:3", "a:4"])
        let m = queue.metrics
        #expect(m.size == 0 && m.bytes == 0 && m.dequeued == 8 && m.byPriority.values.allSatisfy { $0 == 0 })
    }

    @Test func wholeBatchDequeuedEqualsWhatWasEnqueued() async throws {
        let queue = PriorityQueue()
        let batch = (0..<100).map { testRecord("a", $0) }
        _ = try await queue.enqueue(batch)
        #expect(await queue.dequeue(max: 100) == batch)
    }

    // MARK: drop strategies

    @Test func dropNewestRefusesIncomingRecords() async throws {
        let queue = PriorityQueue(maxSize: 3, overflow: .dropNewest)
        let dropped = try await queue.enqueue((0..<5).map { testRecord("a", $0) })
        #expect(recordLabels(dropped) == ["a:3", "a:4"])
        // Even a more important record is refused: drop_newest never evicts.
        let refused = try await queue.enqueue([testRecord("b", 0, .critical)])
        #expect(recordLabels(refused) == ["b:0"])
        let m = queue.metrics
        #expect(m.size == 3 && m.enqueued == 3 && m.dropped == 3)
        #expect(m.utilizationPercent == 100)
    }

    @Test func dropOldestEvictsOldestOfLowestLevel() async throws {
        let queue = PriorityQueue(maxSize: 3, overflow: .dropOldest)
        _ = try await queue.enqueue([testRecord("a", 0, .low), testRecord("a", 1, .normal), testRecord("a", 2, .low)])
        let dropped = try await queue.enqueue([testRecord("b", 0, .high)])
        #expect(recordLabels(dropped) == ["a:0"])
        #expect(recordLabels(queue.tryDequeue(max: 10)) == ["b:0", "a:1", "a:2"])
        #expect(queue.metrics.dropped == 1)
    }

    @Test func dropOldestEvictsFromPartlyConsumedBatches() async throws {
        let queue = PriorityQueue(maxSize: 4, overflow: .dropOldest)
        _ = try await queue.enqueue([testRecord("a", 0, .low), testRecord("a", 1, .low), testRecord("a", 2, .low)])
        _ = queue.tryDequeue(max: 1)
        _ = try await queue.enqueue([testRecord("b", 0), testRecord("b", 1)])
        let dropped = try await queue.enqueue([testRecord("c", 0, .high), testRecord("c", 1, .high), testRecord("c", 2, .low)])
        // Full at 4: c:0 evicts a:1, c:1 evicts a:2; c:2 (low) would have to evict normal b records: refused.
        #expect(recordLabels(dropped) == ["a:1", "a:2", "c:2"])
        #expect(recordLabels(queue.tryDequeue(max: 10)) == ["c:0", "c:1", "b:0", "b:1"])
        #expect(queue.count(streamID: "a-stream") == 0)
        #expect(queue.metrics.bytes == 0)
    }

    @Test func evictionCanReachRecordsOfTheBatchBeingEnqueued() async throws {
        let queue = PriorityQueue(maxSize: 2, overflow: .dropOldest)
        let dropped = try await queue.enqueue([testRecord("a", 0, .low), testRecord("a", 1, .low), testRecord("a", 2, .low),
                                               testRecord("a", 3, .high)])
        #expect(recordLabels(dropped) == ["a:0", "a:1"])
        #expect(recordLabels(queue.tryDequeue(max: 10)) == ["a:3", "a:2"])
        #expect(queue.count(streamID: "a-stream") == 0)
    }

    @Test func dropOldestWithinOneLevelIsClassicDropOldest() async throws {
        let queue = PriorityQueue(maxSize: 2, overflow: .dropOldest)
        let dropped = try await queue.enqueue((0..<5).map { testRecord("a", $0) })
        #expect(recordLabels(dropped) == ["a:0", "a:1", "a:2"])
        #expect(recordLabels(queue.tryDequeue(max: 10)) == ["a:3", "a:4"])
    }

    @Test func dropOldestNeverEvictsAMoreImportantRecord() async throws {
        let queue = PriorityQueue(maxSize: 2, overflow: .dropOldest)
        _ = try await queue.enqueue([testRecord("a", 0, .critical), testRecord("a", 1, .high)])
        let dropped = try await queue.enqueue([testRecord("b", 0, .low)])
        #expect(recordLabels(dropped) == ["b:0"])
        #expect(recordLabels(queue.tryDequeue(max: 10)) == ["a:0", "a:1"])
    }

    @Test func evictedRecordsOfOtherStreamsAreReported() async throws {
        let queue = PriorityQueue(maxSize: 1, overflow: .dropOldest)
        _ = try await queue.enqueue([testRecord("a", 7, .low)])
        let dropped = try await queue.enqueue([testRecord("b", 0, .normal)])
        #expect(dropped.map(\.streamID) == ["a-stream"])
        #expect(queue.count(streamID: "a-stream") == 0)
        #expect(queue.count(streamID: "b-stream") == 1)
    }

    // MARK: byte bound

    @Test func byteBoundRefusesUnderDropNewest() async throws {
        let queue = PriorityQueue(maxSize: nil, maxBytes: 100, overflow: .dropNewest)
        let dropped = try await queue.enqueue([testRecord("a", 0, bytes: 40), testRecord("a", 1, bytes: 40),
                                               testRecord("a", 2, bytes: 40), testRecord("a", 3, bytes: 20)])
        #expect(recordLabels(dropped) == ["a:2"])
        #expect(queue.byteCount == 100)
        #expect(queue.metrics.utilizationPercent == 100)
    }

    @Test func byteBoundEvictsAsManyAsNeededUnderDropOldest() async throws {
        let queue = PriorityQueue(maxSize: 10, maxBytes: 100, overflow: .dropOldest)
        _ = try await queue.enqueue([testRecord("a", 0, .low, bytes: 30), testRecord("a", 1, .normal, bytes: 30),
                                     testRecord("a", 2, .low, bytes: 30)])
        let dropped = try await queue.enqueue([testRecord("b", 0, .normal, bytes: 60)])
        #expect(recordLabels(dropped) == ["a:0", "a:2"])
        #expect(queue.byteCount == 90)
        #expect(recordLabels(queue.tryDequeue(max: 10)) == ["a:1", "b:0"])
    }

    @Test func byteBoundRefusesWhenOnlyMoreImportantRecordsCouldMakeRoom() async throws {
        let queue = PriorityQueue(maxSize: 10, maxBytes: 100, overflow: .dropOldest)
        _ = try await queue.enqueue([testRecord("a", 0, .critical, bytes: 40), testRecord("a", 1, .low, bytes: 40)])
        // 70 bytes need 50 freed; only the 40-byte low record may go, so nothing is evicted.
        let dropped = try await queue.enqueue([testRecord("b", 0, .normal, bytes: 70)])
        #expect(recordLabels(dropped) == ["b:0"])
        #expect(queue.count == 2)
    }

    @Test func recordLargerThanTheByteBoundIsRefusedWithoutEvicting() async throws {
        let queue = PriorityQueue(maxSize: nil, maxBytes: 50, overflow: .dropOldest)
        _ = try await queue.enqueue([testRecord("a", 0, .low, bytes: 10)])
        let dropped = try await queue.enqueue([testRecord("b", 0, .critical, bytes: 51)])
        #expect(recordLabels(dropped) == ["b:0"])
        #expect(queue.count == 1)
    }

    @Test func byteCountIncludesKeyAndHeaders() async throws {
        let queue = PriorityQueue(maxSize: nil, maxBytes: 1000)
        let r = PipelineRecord(sourceID: "a", streamID: "s", key: [1, 2, 3], value: [1, 2, 3, 4],
                               headers: [.init(key: "h", value: [9, 9])])
        _ = try await queue.enqueue([r])
        #expect(queue.byteCount == 3 + 4 + 1 + 2)
        _ = queue.tryDequeue(max: 1)
        #expect(queue.byteCount == 0)
    }

    // MARK: block

    @Test func blockSuspendsTheProducerAndLosesNothing() async throws {
        let queue = PriorityQueue(maxSize: 2, overflow: .block)
        let finished = Flag()
        let producer = Task {
            let dropped = try await queue.enqueue((0..<5).map { testRecord("a", $0) })
            finished.set()
            return dropped
        }
        try await waitFor("queue.waiterCount == 1", every: .milliseconds(1)) { queue.waiterCount == 1 }
        #expect(queue.count == 2)
        #expect(!finished.isSet)

        var received: [PipelineRecord] = []
        while received.count < 5 { received += await queue.dequeue(max: 1) }
        let dropped = try await producer.value
        #expect(dropped.isEmpty)
        #expect(recordLabels(received) == (0..<5).map { "a:\($0)" })
        #expect(queue.metrics.dropped == 0 && queue.metrics.enqueued == 5)
    }

    @Test func blockRespectsTheByteBound() async throws {
        let queue = PriorityQueue(maxSize: nil, maxBytes: 100, overflow: .block)
        let producer = Task { try await queue.enqueue((0..<4).map { testRecord("a", $0, bytes: 40) }) }
        try await waitFor("queue.waiterCount == 1", every: .milliseconds(1)) { queue.waiterCount == 1 }
        #expect(queue.count == 2 && queue.byteCount == 80)
        _ = queue.tryDequeue(max: 1)
        try await waitFor("queue.count == 2 && queue.waiterCount == 1", every: .milliseconds(1)) { queue.count == 2 && queue.waiterCount == 1 }
        _ = queue.tryDequeue(max: 2)
        #expect(try await producer.value.isEmpty)
        #expect(recordLabels(queue.tryDequeue(max: 5)) == ["a:3"])
    }

    @Test func blockAdmitsAnOversizedRecordIntoAnEmptyQueue() async throws {
        let queue = PriorityQueue(maxSize: nil, maxBytes: 10, overflow: .block)
        let producer = Task { try await queue.enqueue([testRecord("a", 0, bytes: 5), testRecord("a", 1, bytes: 50)]) }
        try await waitFor("queue.waiterCount == 1", every: .milliseconds(1)) { queue.waiterCount == 1 }
        _ = queue.tryDequeue(max: 1)
        #expect(try await producer.value.isEmpty)
        #expect(queue.byteCount == 50)
    }

    @Test func cancellingABlockedEnqueueReturnsTheRestAndLeavesNoWaiter() async throws {
        let queue = PriorityQueue(maxSize: 1, overflow: .block)
        let producer = Task { try await queue.enqueue([testRecord("a", 0), testRecord("a", 1), testRecord("a", 2)]) }
        try await waitFor("queue.waiterCount == 1", every: .milliseconds(1)) { queue.waiterCount == 1 }
        producer.cancel()
        do {
            _ = try await producer.value
            Issue.record("expected cancellation")
        } catch let error as PriorityQueueError {
            guard case .cancelled(let rest) = error else { Issue.record("unexpected \(error)"); return }
            #expect(recordLabels(rest) == ["a:1", "a:2"])
        }
        #expect(queue.waiterCount == 0)
        #expect(queue.count == 1)
    }

    @Test func cancelledBeforeParkingDoesNotHang() async throws {
        let queue = PriorityQueue(maxSize: 1, overflow: .block)
        _ = try await queue.enqueue([testRecord("a", 0)])
        let producer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await queue.enqueue([testRecord("a", 1)])
        }
        await #expect(throws: PriorityQueueError.cancelled(notEnqueued: [testRecord("a", 1)])) { try await producer.value }
        #expect(queue.waiterCount == 0)
    }

    @Test func reconfigureReleasesBlockedProducers() async throws {
        let queue = PriorityQueue(maxSize: 1, overflow: .block)
        let producer = Task { try await queue.enqueue([testRecord("a", 0), testRecord("a", 1), testRecord("a", 2)]) }
        try await waitFor("queue.waiterCount == 1", every: .milliseconds(1)) { queue.waiterCount == 1 }
        queue.reconfigure(maxSize: 10, maxBytes: nil, overflow: .block)
        #expect(try await producer.value.isEmpty)
        #expect(queue.count == 3)
        #expect(queue.metrics.maxSize == 10)
    }

    @Test func manyBlockedProducersDeliverEverythingExactlyOnceInStreamOrder() async throws {
        let queue = PriorityQueue(maxSize: 16, overflow: .block)
        let perProducer = 500
        let sources = ["s0", "s1", "s2", "s3"]
        await withThrowingTaskGroup(of: Void.self) { group in
            for source in sources {
                group.addTask {
                    for chunk in stride(from: 0, to: perProducer, by: 7) {
                        let batch = (chunk..<min(chunk + 7, perProducer)).map { testRecord(source, UInt64($0)) }
                        let dropped = try await queue.enqueue(batch)
                        #expect(dropped.isEmpty)
                    }
                }
            }
            var seen: [String: [UInt64]] = [:]
            var total = 0
            while total < sources.count * perProducer {
                let batch = await queue.dequeue(max: 5)
                total += batch.count
                for r in batch { seen[r.sourceID, default: []].append(r.sequence) }
            }
            for source in sources { #expect(seen[source] == (0..<UInt64(perProducer)).map { $0 }) }
        }
        #expect(queue.count == 0 && queue.waiterCount == 0)
    }

    // MARK: streams

    @Test func waitUntilDrainedResumesWhenTheStreamsRecordsAreGone() async throws {
        let queue = PriorityQueue()
        _ = try await queue.enqueue([testRecord("slow", 0, .low), testRecord("slow", 1, .low)])
        _ = try await queue.enqueue([testRecord("fast", 0, .high), testRecord("fast", 1, .high)])
        #expect(queue.count(streamID: "slow-stream") == 2)
        let drained = Task { await queue.waitUntilDrained(streamID: "slow-stream") }
        try await waitFor("queue.waiterCount == 1", every: .milliseconds(1)) { queue.waiterCount == 1 }

        #expect(recordLabels(queue.tryDequeue(max: 3)) == ["fast:0", "fast:1", "slow:0"])
        #expect(queue.count(streamID: "slow-stream") == 1)
        #expect(queue.waiterCount == 1)  // still waiting for slow:1
        _ = queue.tryDequeue(max: 1)
        #expect(await drained.value)
        #expect(await queue.waitUntilDrained(streamID: "slow-stream"))  // already drained: immediate
    }

    @Test func removeDiscardsOneStreamAndWakesWaiters() async throws {
        let queue = PriorityQueue(maxSize: 3, overflow: .block)
        _ = try await queue.enqueue([testRecord("a", 0), testRecord("b", 0), testRecord("a", 1)])
        let drained = Task { await queue.waitUntilDrained(streamID: "a-stream") }
        let blocked = Task { try await queue.enqueue([testRecord("c", 0), testRecord("c", 1)]) }
        try await waitFor("queue.waiterCount == 2", every: .milliseconds(1)) { queue.waiterCount == 2 }

        let removed = queue.remove(streamID: "a-stream")
        #expect(recordLabels(removed) == ["a:0", "a:1"])
        #expect(await drained.value)
        #expect(try await blocked.value.isEmpty)
        #expect(recordLabels(queue.tryDequeue(max: 5)) == ["b:0", "c:0", "c:1"])
        #expect(queue.metrics.removed == 2)
    }

    // MARK: close

    @Test func closeWakesEverybody() async throws {
        let queue = PriorityQueue(maxSize: 1, overflow: .block)
        _ = try await queue.enqueue([testRecord("a", 0)])
        let blocked = Task { try await queue.enqueue([testRecord("b", 0)]) }
        let drain = Task { await queue.waitUntilDrained(streamID: "a-stream") }
        try await waitFor("queue.waiterCount == 2", every: .milliseconds(1)) { queue.waiterCount == 2 }
        queue.close()
        await #expect(throws: PriorityQueueError.closed(notEnqueued: [testRecord("b", 0)])) { try await blocked.value }
        #expect(await drain.value == false)
        // Remaining records are still handed out, then [] signals the end.
        #expect(recordLabels(await queue.dequeue(max: 5)) == ["a:0"])
        #expect(await queue.dequeue(max: 5).isEmpty)
        await #expect(throws: PriorityQueueError.self) { _ = try await queue.enqueue([testRecord("c", 0)]) }
    }

    @Test func closeWakesAWaitingConsumer() async throws {
        let queue = PriorityQueue()
        let consumer = Task { await queue.dequeue(max: 5) }
        try await waitFor("queue.waiterCount == 1", every: .milliseconds(1)) { queue.waiterCount == 1 }
        queue.close()
        #expect(await consumer.value.isEmpty)
    }

    @Test func cancellingAWaitingConsumerReturnsEmpty() async throws {
        let queue = PriorityQueue()
        let consumer = Task { await queue.dequeue(max: 5) }
        try await waitFor("queue.waiterCount == 1", every: .milliseconds(1)) { queue.waiterCount == 1 }
        consumer.cancel()
        #expect(await consumer.value.isEmpty)
        #expect(queue.waiterCount == 0)
    }

    // MARK: metrics

    @Test func metricsUseTheSeedsNames() async throws {
        let queue = PriorityQueue(maxSize: 200, maxBytes: nil, overflow: .dropOldest)
        _ = try await queue.enqueue([testRecord("a", 0, .critical), testRecord("a", 1), testRecord("a", 2, .low)])
        _ = queue.tryDequeue(max: 1)
        let m = queue.metrics
        #expect(m.size == 2 && m.enqueued == 3 && m.dequeued == 1 && m.dropped == 0)
        #expect(m.utilizationPercent == 1.0)
        #expect(m.byPriority == ["critical": 0, "high": 0, "normal": 1, "low": 1])
        #expect(m.overflowStrategy == "drop_oldest")

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as? [String: Any]
        for key in ["size", "enqueued", "dequeued", "dropped", "utilization_percent", "bytes", "max_size", "by_priority"] {
            #expect(json?[key] != nil, "missing \(key)")
        }
        #expect(try JSONDecoder().decode(PriorityQueueMetrics.self, from: JSONEncoder().encode(m)) == m)
    }

    @Test func unboundedQueueReportsZeroUtilization() async throws {
        let queue = PriorityQueue(maxSize: 0, maxBytes: 0)
        _ = try await queue.enqueue((0..<50).map { testRecord("a", $0) })
        #expect(queue.metrics.utilizationPercent == 0)
        #expect(queue.metrics.maxSize == nil)
    }

    @Test func strategyRawValuesMatchTheConfig() {
        #expect(QueueOverflowStrategy(rawValue: "drop_oldest") == .dropOldest)
        #expect(QueueOverflowStrategy(rawValue: "drop_newest") == .dropNewest)
        #expect(QueueOverflowStrategy(rawValue: "block") == .block)
    }
}

/// A Sendable, copyable flag (Atomic itself cannot be captured by #expect).
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
