import Synchronization

/// A value set once and awaited by any number of tasks: a stream's final cursor, available once
/// its ingestion loop has returned, and the end of a runtime's run.
public final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [CheckedContinuation<Value, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// The first value wins; later ones are ignored.
    public func resolve(_ value: Value) {
        let waiters = state.withLock { s -> [CheckedContinuation<Value, Never>] in
            guard s.value == nil else { return [] }
            s.value = value
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    public var isResolved: Bool { state.withLock { $0.value != nil } }

    public var value: Value {
        get async {
            await withCheckedContinuation { c in
                let now = state.withLock { s -> Value? in
                    if let value = s.value { return value }
                    s.waiters.append(c)
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        }
    }
}
