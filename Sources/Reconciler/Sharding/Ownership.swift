import Kafka
import Synchronization

/// Which sources this replica runs: those whose id maps, by murmur2 (the partitioner `apply`
/// uses), to a config-topic partition the group assigned to it. Deterministic, so anyone can
/// tell the owner of a source from the assignment alone.
public final class Ownership: Sendable {
    private struct State {
        var partitions: Set<Int32> = []
        var partitionCount = 0
        /// The group's generation id of the current assignment (the `generation` of status
        /// records); counted locally when librdkafka does not tell it.
        var generation = 0
    }

    private let state = Mutex(State())

    public init(partitionCount: Int = 0) {
        state.withLock { $0.partitionCount = partitionCount }
    }

    public func setPartitionCount(_ count: Int) { state.withLock { $0.partitionCount = count } }

    public func partition(of sourceID: String) -> Int32? {
        let count = state.withLock { $0.partitionCount }
        return count > 0 ? Murmur2Partitioner.partition(forKey: sourceID, partitionCount: count) : nil
    }

    public func owns(_ sourceID: String) -> Bool {
        guard let p = partition(of: sourceID) else { return false }
        return state.withLock { $0.partitions.contains(p) }
    }

    public var assignedPartitions: [Int] { state.withLock { $0.partitions.map(Int.init).sorted() } }
    public var generation: Int { state.withLock { $0.generation } }

    public func assign(_ partitions: [Int32], generation: Int? = nil) {
        state.withLock { s in
            s.partitions.formUnion(partitions)
            s.generation = generation ?? s.generation + 1
        }
    }

    public func revoke(_ partitions: [Int32], generation: Int? = nil) {
        state.withLock { s in
            s.partitions.subtract(partitions)
            s.generation = generation ?? s.generation + 1
        }
    }
}
