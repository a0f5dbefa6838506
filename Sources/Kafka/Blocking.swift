import Dispatch

/// Runs blocking librdkafka calls on Dispatch threads, never on Swift's cooperative pool,
/// so a slow broker cannot starve other tasks.
enum Blocking {
    private static let queue = DispatchQueue(label: "kafka.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
