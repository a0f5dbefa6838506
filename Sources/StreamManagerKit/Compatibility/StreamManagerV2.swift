import Connectors
import Foundation
import Kafka
import Logging
import Pipeline
import StreamConfig
import Synchronization

/// The library API of earlier versions: start, stop and reconfigure streams of the sources of one
/// config document. A thin facade over `StreamRuntime`: it keeps the document, looks sources up in
/// it, and lets `plan` decide what a reconfiguration needs.
public final class StreamManagerV2: Sendable {
    public typealias ManagerError = StreamRuntimeError

    /// What `reconfigureStream` did.
    public enum ReconfigureOutcome: Sendable, Equatable {
        case unchanged
        case hot(fields: [String])
        /// Make-before-break: a new stream took over at the old one's live cursor.
        case restarted(newStreamID: String, fields: [String])
        case stopped
    }

    /// The runtime underneath.
    public let runtime: StreamRuntime
    private let document: Mutex<StreamManagerConfig>
    /// The runtime's `run()`, from `start()` to `stop()`.
    private let running = Mutex<Task<Void, Never>?>(nil)

    public init(config: StreamManagerConfig, bootstrapServers: [String]? = nil, registry: ConnectorRegistry = .shared,
                logger: Logger = Logger(label: "stream-manager"), clock: any PipelineClock = SystemPipelineClock(),
                useOffsetsTopic: Bool = true, lagCheckInterval: Duration = .seconds(5)) {
        document = Mutex(config)
        runtime = StreamRuntime(config: config, bootstrapServers: bootstrapServers, registry: registry, logger: logger,
                                clock: clock, useOffsetsTopic: useOffsetsTopic, lagCheckInterval: lagCheckInterval)
    }

    /// Loads and validates a config file; errors name the file, line and column.
    public convenience init(configFile: String, bootstrapServers: [String]? = nil, logger: Logger = Logger(label: "stream-manager")) throws {
        let config = try ConfigLoader.loadOrThrow(contentsOf: configFile)
        self.init(config: config, bootstrapServers: bootstrapServers, logger: logger)
    }

    public var config: StreamManagerConfig { document.withLock { $0 } }

    // MARK: lifecycle

    /// Starts the shared components and reads the committed cursors.
    public func start() async throws {
        guard running.withLock({ $0 == nil }) else { return }
        try await runtime.open()
        let runtime = self.runtime
        // This API's `start()` returns while the pipeline runs, so the runtime's service runs in a
        // task of its own, which `stop()` and `abandon()` end and wait for.
        let task = Task { _ = try? await runtime.run() }
        running.withLock { $0 = task }
    }

    /// Stops every stream (draining them), flushes the producer, closes the queue.
    public func stop() async {
        await runtime.shutdown()
        await takeRunning()?.value
    }

    /// Simulates a crash: streams stop without draining, nothing more is committed or flushed.
    /// For tests of at-least-once recovery.
    public func abandon() async {
        await runtime.abandon()
        await takeRunning()?.value
    }

    private func takeRunning() -> Task<Void, Never>? {
        running.withLock { task in
            defer { task = nil }
            return task
        }
    }

    // MARK: streams

    /// Starts the configured source. The connector defaults to the registry's for its `source_type`.
    /// Resumes from the source's committed cursor. Returns the new stream id.
    @discardableResult
    public func startStream(sourceID: String, connector: (any SourceConnector)? = nil) async throws -> String {
        guard runtime.isStarted else { throw ManagerError.notStarted }
        guard let source = config.sources[sourceID] else { throw ManagerError.sourceNotConfigured(sourceID) }
        guard source.enabled else { throw ManagerError.sourceDisabled(sourceID) }
        return try await runtime.start(DesiredSource(sourceID: sourceID, config: source, configVersion: nil), connector: connector)
    }

    /// Stops a stream (by stream id or source id): polling ends, its queued records are sent,
    /// the final cursor is committed.
    public func stopStream(_ id: String) async throws {
        let sourceID = runtime.streamID(forSource: id) != nil ? id : runtime.runningSources.first { $0.value == id }?.key
        guard let sourceID else { throw ManagerError.streamNotFound(id) }
        try await runtime.stop(sourceID: sourceID)
    }

    /// Applies a new config for a source: in place when only hot fields changed, otherwise
    /// make-before-break (the old stream stops at a poll boundary and hands its live cursor to
    /// the new one, then drains). No record is lost or repeated.
    /// `configHash` and `compactJSON`, when the caller has them, save computing them again;
    /// `configVersion` (where the config came from) is committed with the cursor.
    @discardableResult
    public func reconfigureStream(sourceID: String, to source: SourceConfig, configHash: String? = nil,
                                  compactJSON: String? = nil, configVersion: String? = nil,
                                  connector: (any SourceConnector)? = nil) async throws -> ReconfigureOutcome {
        document.withLock { $0.sources[sourceID] = source }
        guard runtime.isStarted else { throw ManagerError.notStarted }
        let desired = DesiredSource(sourceID: sourceID, config: source, configHash: configHash, compactJSON: compactJSON,
                                    configVersion: configVersion)
        let running = runtime.runningSource(sourceID).map {
            [sourceID: RunningSource(sourceID: sourceID, config: $0.config, configHash: $0.configHash)]
        } ?? [:]
        for action in plan(desired: DesiredState(sources: [sourceID: desired]), running: running) {
            switch action {
            case .start(let d):
                try await runtime.start(d, connector: connector)
                return .unchanged  // this API has always reported a start through reconfigure so
            case .stop(let id):
                try await runtime.stop(sourceID: id)
                return .stopped
            case .reconfigure(let d, let fields):
                try runtime.applyHot(d)
                return .hot(fields: fields)
            case .restart(let d, let fields):
                let streamID = try await runtime.restart(d, connector: connector)
                return .restarted(newStreamID: streamID, fields: fields)
            case .reject, .forget:
                break
            }
        }
        return .unchanged
    }

    /// Hot change of the routing rules for every stream.
    public func updateRouting(_ routing: TopicRoutingConfig) throws {
        document.withLock { $0.topicRouting = routing }
        try runtime.updateRouting(routing)
    }

    /// How many streams run.
    public var activeStreamCount: Int { runtime.activeStreamCount }

    /// Re-reads the committed cursors (everything committed before this call, by any replica).
    public func refreshCommittedCursors() async { await runtime.refreshCommittedCursors() }

    /// Stream ids of the running streams.
    public var activeStreams: [String] { runtime.activeStreams }

    /// Source id → the config each running stream runs with.
    public var runningConfigs: [String: SourceConfig] { runtime.runningConfigs }

    /// What runs for one source: its config and canonical hash (one lookup).
    public func runningSource(_ sourceID: String) -> (config: SourceConfig, configHash: String)? {
        runtime.runningSource(sourceID).map { ($0.config, $0.configHash) }
    }

    /// The cursor last committed for a source, with the config it was committed under.
    public func committedCursor(forSource sourceID: String) -> CommittedCursor? {
        runtime.committedCursor(forSource: sourceID)
    }

    /// Drops a removed source's per-source metric series. Call once its stream has stopped.
    public func forgetMetrics(sourceID: String) { runtime.forgetMetrics(sourceID: sourceID) }

    /// The stream id running for a source, if any.
    public func streamID(forSource sourceID: String) -> String? { runtime.streamID(forSource: sourceID) }

    /// Source id → the config and its canonical hash, as each running stream runs them.
    public var runningConfigsAndHashes: [String: (config: SourceConfig, configHash: String)] {
        runtime.runningDesiredSources.mapValues { ($0.config, $0.configHash) }
    }

    /// Source id → stream id of the running streams.
    public var runningSources: [String: String] { runtime.runningSources }

    /// Source id → what the status topic reports of each running stream.
    public var streamReports: [String: StreamReport] { runtime.streamReports }

    // MARK: reporting

    public func metrics() -> ManagerMetrics { runtime.metrics() }

    public func healthCheck() -> HealthReport { runtime.healthCheck() }
}
