import Synchronization

/// Set from any thread (task cancellation, stream termination); read by libcurl's callbacks,
/// which then abort the transfer.
final class TransferCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    func cancel() { flag.store(true, ordering: .releasing) }
    var isCancelled: Bool { flag.load(ordering: .acquiring) }
}
