import BlockingCalls
import Foundation
import Synchronization

/// A dedicated OS thread that repeatedly runs one blocking poll step. librdkafka's
/// poll calls block, so they live here rather than on Swift's cooperative pool.
final class PollThread: Sendable {
    private let flags = Flags()
    private let name: String
    private let step: @Sendable () -> Void

    private final class Flags: Sendable {
        let stopping = Atomic<Bool>(false)
        let started = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
    }

    init(name: String, step: @escaping @Sendable () -> Void) {
        self.name = name
        self.step = step
    }

    func start() {
        guard !flags.started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        BlockingCalls.thread(name: name) { [flags, step] in
            while !flags.stopping.load(ordering: .acquiring) { step() }
            flags.finished.signal()
        }
    }

    /// Stops after the current step; waits for the thread to leave its loop.
    func stop() {
        guard flags.started.load(ordering: .acquiring),
              !flags.stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        flags.finished.wait()
    }
}
