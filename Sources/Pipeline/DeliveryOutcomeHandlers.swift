import Synchronization

/// Where delivery outcomes go: one handler per stream id, registered by the runtime when the
/// stream starts and removed once it has drained. The sink settles outcomes here, and so do the
/// streams for records the queue dropped (possibly another stream's, under `drop_oldest`). One
/// lookup per run of one stream's outcomes, never per record.
public final class DeliveryOutcomeHandlers: Sendable {
    public typealias Handler = @Sendable (DeliveryOutcomes) -> Void

    private let handlers = Mutex<[String: Handler]>([:])

    public init() {}

    public func register(streamID: String, _ handler: @escaping Handler) {
        handlers.withLock { $0[streamID] = handler }
    }

    public func unregister(streamID: String) {
        handlers.withLock { _ = $0.removeValue(forKey: streamID) }
    }

    /// Hands each run to its stream's handler; runs of streams no longer registered are dropped
    /// (a stream abandoned in a crash simulation commits nothing more).
    public func settle(_ runs: [DeliveryOutcomes]) {
        guard !runs.isEmpty else { return }
        let targets = handlers.withLock { table in runs.map { table[$0.streamID] } }
        for (run, handler) in zip(runs, targets) { handler?(run) }
    }
}
