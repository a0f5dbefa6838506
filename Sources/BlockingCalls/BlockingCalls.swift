import Dispatch
import Foundation

/// The one way this package runs blocking C calls (librdkafka, libcurl, file reads): never on
/// Swift's cooperative pool, which has one thread per core — on a 2-core machine two slow broker
/// calls there would stall every task in the process.
///
/// Short calls (`run`, `detach`) go to a fresh serial dispatch queue each: serial queues run on
/// libdispatch's overcommit threads, which it adds while others block (a shared concurrent queue
/// would run on the same width-limited pool as Swift's executor). Calls on one client that must
/// keep their order use a `BlockingLane`. Work that lives long — a poll loop, a transfer that
/// may stream for hours — gets a dedicated thread (`thread`), so it never holds a pool thread.
public enum BlockingCalls {
    /// Runs `body` off the cooperative pool and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "blocking-call").async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Fire and forget, for clean-up that may block (destroying a client).
    public static func detach(_ body: @escaping @Sendable () -> Void) {
        DispatchQueue(label: "blocking-call").async(execute: body)
    }

    /// Starts `body` on its own named thread. `stackSize` in bytes (nil: the platform default).
    public static func thread(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
    }
}

/// Blocking calls on one client that must run one at a time, in the order they were made
/// (librdkafka's consumer calls).
public final class BlockingLane: Sendable {
    private let queue: DispatchQueue

    public init(label: String) { queue = DispatchQueue(label: label) }

    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
