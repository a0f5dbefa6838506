import Logging
import Pipeline
import ServiceLifecycle

/// The runtime's sink as a service: sends until graceful shutdown closes the queue (by then the
/// streams have drained into it), then sends what is left and flushes.
struct SinkService: Service {
    let sink: KafkaSink
    let queue: PriorityQueue
    let logger: Logger

    func run() async {
        await withGracefulShutdownHandler {
            do { try await sink.run() } catch { logger.error("sink stopped: \(error)") }
        } onGracefulShutdown: { [queue] in
            queue.close()
        }
    }
}
