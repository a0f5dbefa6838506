import Dispatch

/// Runs blocking librdkafka calls on Dispatch threads, never on Swift's cooperative pool,
/// so a slow broker cannot starve other tasks.
enum Blocking {
    // A fresh serial queue per call: serial queues run on libdispatch's overcommit threads, which
    // it adds while others block. A shared concurrent queue would run on the same width-limited
    // (one thread per core) pool as Swift's cooperative executor, and a few slow broker calls
    // could then stall every task in the process.
    private static func queue() -> DispatchQueue { DispatchQueue(label: "kafka.blocking") }

    /// Fire and forget, for clean-up that may block (destroying a client).
    static func detach(_ body: @escaping @Sendable () -> Void) {
        queue().async(execute: body)
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
