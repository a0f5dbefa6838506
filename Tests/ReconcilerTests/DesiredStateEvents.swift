import Reconciler

extension DesiredStateSource {
    /// The events as a sequence, for tests that take them one at a time: `produce` runs in a task
    /// that is cancelled when the iteration ends.
    func events() -> AsyncStream<DesiredStateEvent> {
        let (stream, continuation) = AsyncStream<DesiredStateEvent>.makeStream()
        let task = Task {
            await produce { continuation.yield($0) }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
