import DequeModule

/// Records handed to the producer and not yet reported, indexed by the producer's
/// message id. Ids grow monotonically, so a deque offset by the oldest id replaces a
/// hash map on the hot path (no hashing, no per-record allocation).
struct InFlightWindow<Element> {
    private var slots: Deque<Element?> = []
    private var base: UInt64 = 0

    var isEmpty: Bool { slots.allSatisfy { $0 == nil } }

    mutating func insert(_ element: Element, id: UInt64) {
        if slots.isEmpty { base = id }
        guard id >= base else { return }
        let index = Int(id - base)
        while slots.count < index { slots.append(nil) }  // ids skipped by failed enqueues
        if index == slots.count { slots.append(element) } else { slots[index] = element }
    }

    mutating func remove(id: UInt64) -> Element? {
        guard id >= base, Int(id - base) < slots.count else { return nil }
        let index = Int(id - base)
        let element = slots[index].take()  // moved out, not copied: this runs per delivered record
        while let first = slots.first, first == nil {
            slots.removeFirst()
            base += 1
        }
        return element
    }
}
