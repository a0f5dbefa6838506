import Foundation
import Synchronization

/// Runs one blocking `curl_easy_perform` on its own OS thread. Transfers never touch Swift's
/// cooperative pool (one thread per core), so a slow server cannot starve other tasks, and a
/// thread per transfer means a slow response never queues behind another.
enum TransferThread {
    static func start(name: String = "http-transfer", _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        // Transfers need little stack; the default 8 MiB only reserves address space, but say so.
        thread.stackSize = 512 * 1024
        thread.start()
    }
}

/// Set from any thread (task cancellation, stream termination); read by libcurl's callbacks,
/// which then abort the transfer.
final class TransferCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    func cancel() { flag.store(true, ordering: .releasing) }
    var isCancelled: Bool { flag.load(ordering: .acquiring) }
}
