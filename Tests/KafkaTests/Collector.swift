import Synchronization

/// Collects values from callbacks on other threads.
final class Collector<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    func append(_ values: [T]) { items.withLock { $0 += values } }
    func append(_ value: T) { items.withLock { $0.append(value) } }
    var all: [T] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
}

/// A value shared with callbacks on other threads.
final class Locked<T: Sendable>: Sendable {
    private let state: Mutex<T>
    init(_ value: T) { state = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout T) -> R) -> R { state.withLock { body(&$0) } }
    var value: T { state.withLock { $0 } }
}
