/// Last-value-per-key folding of a compacted topic, as a pure value.
///
/// Within a partition a later offset replaces an earlier one. A key found in several
/// partitions (written by clients with different partitioners, e.g. kcat's CRC32 default)
/// resolves to the record with the newest timestamp; such keys are reported.
public struct CompactedTopicFold: Sendable {
    public enum Change: Sendable, Equatable {
        case upsert(ConsumerRecord)
        case delete(key: String, tombstone: ConsumerRecord)
        case none
    }

    /// A key present in more than one partition.
    public struct DuplicateKey: Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var partitions: [Int32]
        public var winningPartition: Int32
        public var description: String {
            "key '\(key)' is in partitions \(partitions.map(String.init).joined(separator: ", ")); using the newest record (partition \(winningPartition)). Write it with the murmur2_random partitioner."
        }
    }

    /// The latest record of each key per partition. Almost every key lives in one partition, so
    /// one record is kept inline; a per-partition table only for keys seen in several.
    private enum Copies {
        case one(ConsumerRecord)
        case several([Int32: ConsumerRecord])
    }

    private var latest: [String: Copies] = [:]
    /// Live values: the winning record per key, tombstoned keys removed.
    public private(set) var values: [String: ConsumerRecord] = [:]

    public init() {}

    /// Folds one record in and says what changed in `values`, plus a duplicate warning if any.
    public mutating func apply(_ record: ConsumerRecord) -> (change: Change, duplicate: DuplicateKey?) {
        guard let key = record.keyString else { return (.none, nil) }
        var perPartition: [Int32: ConsumerRecord]
        switch latest[key] {
        case nil:
            // Deleted keys cost no memory: a tombstone for a key nobody holds changes nothing.
            guard !record.isTombstone else { return (.none, nil) }
            latest[key] = .one(record)
            values[key] = record
            return (.upsert(record), nil)
        case .one(let existing) where existing.partition == record.partition:
            if existing.offset > record.offset { return (.none, nil) }
            if record.isTombstone {
                latest[key] = nil
                values[key] = nil
                return (.delete(key: key, tombstone: record), nil)
            }
            latest[key] = .one(record)
            if existing.offset == record.offset { return (.none, nil) }
            values[key] = record
            return (.upsert(record), nil)
        case .one(let existing):
            perPartition = [existing.partition: existing]
        case .several(let copies):
            perPartition = copies
        }
        if let existing = perPartition[record.partition], existing.offset > record.offset { return (.none, nil) }
        perPartition[record.partition] = record
        let winner = perPartition.values.max(by: CompactedTopicFold.older)!
        if perPartition.values.allSatisfy(\.isTombstone) { latest[key] = nil } else { latest[key] = .several(perPartition) }

        let live = perPartition.filter { !$0.value.isTombstone }
        let duplicate = live.count > 1
            ? DuplicateKey(key: key, partitions: live.keys.sorted(), winningPartition: winner.partition) : nil

        let before = values[key]
        if winner.isTombstone {
            guard before != nil else { return (.none, duplicate) }
            values[key] = nil
            return (.delete(key: key, tombstone: winner), duplicate)
        }
        if let before, before.partition == winner.partition, before.offset == winner.offset { return (.none, duplicate) }
        values[key] = winner
        return (.upsert(winner), duplicate)
    }

    /// Orders two copies of a key: timestamp first, then offset within a partition,
    /// then partition number so the choice is deterministic.
    static func older(_ a: ConsumerRecord, _ b: ConsumerRecord) -> Bool {
        let ta = a.timestampMilliseconds ?? -1, tb = b.timestampMilliseconds ?? -1
        if ta != tb { return ta < tb }
        if a.partition == b.partition { return a.offset < b.offset }
        return a.partition < b.partition
    }
}
