import Kafka

extension CompactedTopicReader {
    /// The reader's events as a sequence, for tests that step through them: `read` runs in a task
    /// of its own, cancelled when the iteration ends.
    func events() -> AsyncThrowingStream<Event, Error> {
        let (stream, continuation) = AsyncThrowingStream<Event, Error>.makeStream()
        let task = Task { [self] in
            do {
                try await read { event in
                    continuation.yield(event)
                    return true
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

}
