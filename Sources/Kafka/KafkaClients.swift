import BlockingCalls
import Dispatch

/// The process's librdkafka clients as a whole. A dropped client is destroyed on a thread of its
/// own (destroying blocks until librdkafka's threads end); a process must not exit while one is
/// still being destroyed, since exiting tears down what those threads are using — a crash on the
/// way out. Commands wait here before they return.
public enum KafkaClients {
    static let closing = DispatchGroup()

    /// Waits until every client dropped so far has been destroyed; false if `timeout` passed first.
    @discardableResult
    public static func awaitClosed(timeout: Duration = .seconds(10)) async -> Bool {
        let milliseconds = Int(timeout / .milliseconds(1))
        return (try? await BlockingCalls.run { closing.wait(timeout: .now() + .milliseconds(milliseconds)) == .success }) ?? false
    }
}
