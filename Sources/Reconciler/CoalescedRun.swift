import Synchronization

/// Runs an async job so that each caller returns only after a run that *began after its call*
/// has finished, while callers that arrive together share one run. Re-reading the committed
/// cursors before starting sources works this way: a hundred starts after a rebalance need one
/// fresh read, not a hundred, but none may use a read that began before it asked.
final class CoalescedRun: Sendable {
    private struct State {
        var requested: UInt64 = 0
        var completed: UInt64 = 0
        var running = false
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let job: @Sendable () async -> Void

    init(_ job: @escaping @Sendable () async -> Void) {
        self.job = job
    }

    func run() async {
        let (ticket, drive) = state.withLock { s -> (UInt64, Bool) in
            s.requested += 1
            defer { s.running = true }
            return (s.requested, !s.running)
        }
        guard drive else {
            await withCheckedContinuation { c in
                let done = state.withLock { s -> Bool in
                    if s.completed >= ticket { return true }
                    s.waiters.append((ticket, c))
                    return false
                }
                if done { c.resume() }
            }
            return
        }
        // The first caller drives runs until no one is left waiting for a newer one.
        while true {
            let covers = state.withLock { $0.requested }
            await job()
            let (ready, again) = state.withLock { s -> ([CheckedContinuation<Void, Never>], Bool) in
                s.completed = covers
                let ready = s.waiters.filter { $0.ticket <= covers }.map(\.continuation)
                s.waiters.removeAll { $0.ticket <= covers }
                if s.requested > covers { return (ready, true) }
                s.running = false
                return (ready, false)
            }
            for c in ready { c.resume() }
            if !again { return }
        }
    }
}
