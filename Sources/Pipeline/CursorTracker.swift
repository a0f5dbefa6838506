import DequeModule

/// Which cursor a stream may commit: a cursor taken after record N becomes safe once every
/// record up to N is settled (delivered, dead-lettered or dropped), whatever order the
/// settlements arrive in (priorities and retries reorder them).
public struct CursorTracker: Sendable {
    private var nextSequence: UInt64
    /// Every sequence below this is settled.
    private var settledBelow: UInt64
    /// Settlement flags for settledBelow ..< nextSequence.
    private var settled: Deque<Bool> = []
    /// Cursors waiting for their records, in issue order.
    private var checkpoints: Deque<(sequence: UInt64, cursor: String)> = []

    public init(startingAt sequence: UInt64 = 0) {
        nextSequence = sequence
        settledBelow = sequence
    }

    /// Numbers the next `count` records.
    public mutating func issue(_ count: Int) -> Range<UInt64> {
        let range = nextSequence..<(nextSequence + UInt64(count))
        nextSequence = range.upperBound
        settled.append(contentsOf: repeatElement(false, count: count))
        return range
    }

    /// Records the cursor that follows every record issued so far.
    /// Returns it right away if nothing is pending.
    public mutating func checkpoint(_ cursor: String) -> String? {
        if settledBelow == nextSequence {
            checkpoints.removeAll()
            return cursor
        }
        checkpoints.append((nextSequence, cursor))
        return nil
    }

    /// Marks records settled; returns the newest cursor that became safe, if any.
    public mutating func settle<S: Sequence>(_ sequences: S) -> String? where S.Element == UInt64 {
        for s in sequences where s >= settledBelow && s < nextSequence {
            settled[Int(s - settledBelow)] = true
        }
        while let first = settled.first, first {
            settled.removeFirst()
            settledBelow += 1
        }
        var safe: String?
        while let first = checkpoints.first, first.sequence <= settledBelow {
            safe = first.cursor
            checkpoints.removeFirst()
        }
        return safe
    }

    public var pendingCount: Int { Int(nextSequence - settledBelow) }
    public var issuedCount: UInt64 { nextSequence }
}
