import Connectors
import Foundation
import HTTPTransport
import Kafka
import Logging
import Pipeline
import StreamConfig
import Synchronization

/// The library facade, the Swift shape of the seed's `StreamManagerV2`: start, stop and
/// reconfigure streams of configured sources through one shared pipeline (queue → throttler →
/// resolver → producer with DLQ), with cursors committed to the offsets topic after delivery.
public final class StreamManagerV2: Sendable {
    public enum ManagerError: Error, Sendable, Equatable, CustomStringConvertible {
        case sourceNotConfigured(String)
        case sourceDisabled(String)
        case notStarted
        case streamNotFound(String)
        case connector(String)

        public var description: String {
            switch self {
            case .sourceNotConfigured(let id): return "Source not configured: \(id)"
            case .sourceDisabled(let id): return "Source is disabled: \(id)"
            case .notStarted: return "StreamManagerV2 is not started"
            case .streamNotFound(let id): return "Stream not found: \(id)"
            case .connector(let message): return message
            }
        }
    }

    /// What `reconfigureStream` did.
    public enum ReconfigureOutcome: Sendable, Equatable {
        case unchanged
        case hot(fields: [String])
        /// Make-before-break: a new stream took over at the old one's live cursor.
        case restarted(newStreamID: String, fields: [String])
        case stopped
    }

    private struct State {
        var config: StreamManagerConfig
        var components: ManagerComponents?
        var sinkTask: Task<Void, Never>?
        var lagTask: Task<Void, Never>?
        var redriver: (DeadLetterRedriver, Task<Void, Never>)?
        var committed: [String: CommittedCursor] = [:]
        /// Running streams by source id.
        var streams: [String: StreamRuntime] = [:]
        /// Every stream whose outcomes may still arrive (running or draining), by stream id.
        var byStreamID: [String: StreamRuntime] = [:]
        var started = false
        /// Producer totals of the last run, kept after `stop()` for final reports.
        var finalProducerMetrics: ProducerMetricsSnapshot = .zero
        var finalRedriveMetrics: DeadLetterRedriveMetrics?
    }

    private let state: Mutex<State>
    private let bootstrapServers: [String]
    private let registry: ConnectorRegistry
    private let logger: Logger
    private let clock: any PipelineClock
    /// Whether cursors are read from and written to the offsets topic.
    private let useOffsetsTopic: Bool
    private let lagCheckInterval: Duration
    /// The process environment, read once: sources resolve their `${NAME}`s from it at every start,
    /// and reading it builds a dictionary of every variable.
    private let environment: [String: String]

    public init(config: StreamManagerConfig, bootstrapServers: [String]? = nil, registry: ConnectorRegistry = .shared,
                logger: Logger = Logger(label: "stream-manager"), clock: any PipelineClock = SystemPipelineClock(),
                useOffsetsTopic: Bool = true, lagCheckInterval: Duration = .seconds(5)) {
        state = Mutex(State(config: config))
        self.bootstrapServers = bootstrapServers ?? .bootstrapList(config.kafka.bootstrapServers)
        self.registry = registry
        self.logger = logger
        self.clock = clock
        self.useOffsetsTopic = useOffsetsTopic
        self.lagCheckInterval = lagCheckInterval
        environment = ProcessInfo.processInfo.environment
    }

    /// Loads and validates a config file; errors name the file, line and column.
    public convenience init(configFile: String, bootstrapServers: [String]? = nil, logger: Logger = Logger(label: "stream-manager")) throws {
        let config = try ConfigLoader.loadOrThrow(contentsOf: configFile)
        self.init(config: config, bootstrapServers: bootstrapServers, logger: logger)
    }

    public var config: StreamManagerConfig { state.withLock { $0.config } }

    // MARK: lifecycle

    /// Starts the shared components and reads the committed cursors.
    public func start() async throws {
        let config = self.config
        guard !state.withLock({ $0.started }) else { return }
        let queue = PriorityQueue(maxSize: config.queueMaxSize > 0 ? config.queueMaxSize : nil,
                                  maxBytes: config.queueMaxBytes > 0 ? config.queueMaxBytes : nil,
                                  overflow: config.queueOverflowStrategy)
        let throttler = Throttler(settings: ThrottleSettings(config.throttling), clock: clock)
        let resolver = try TopicResolver(rules: config.topicRouting)
        var sinkSettings = KafkaSink.Settings()
        sinkSettings.batchSize = max(1, config.kafka.batchSize)
        sinkSettings.maxRetries = config.kafka.maxRetries
        sinkSettings.enableDLQ = config.enableDLQ
        let router = OutcomeRouter()
        let sink = try KafkaSink(producerConfiguration: KafkaProducerConfiguration(config.kafka, bootstrapServers: bootstrapServers),
                                 queue: queue, throttler: config.throttling.enabled ? throttler : nil,
                                 settings: sinkSettings, logger: logger) { router.route($0) }
        var offsets: OffsetStore?
        var committed: [String: CommittedCursor] = [:]
        if useOffsetsTopic {
            let store = try OffsetStore(topic: config.manager.offsetsTopic, bootstrapServers: bootstrapServers,
                                        properties: KafkaProducerConfiguration(config.kafka, bootstrapServers: bootstrapServers).properties,
                                        logger: logger)
            committed = try await store.load()
            offsets = store
        }
        let components = ManagerComponents(queue: queue, throttler: throttler, resolver: resolver,
                                           limiters: RateLimiterRegistry(clock: clock), sink: sink, offsets: offsets,
                                           clock: clock, retryBackoffBase: config.kafka.retryBackoffBase,
                                           settle: { router.route($0) })
        let sinkTask = Task { [logger] in
            do { try await sink.run() } catch { logger.error("sink stopped: \(error)") }
        }
        let lagTask = LagMonitor.start(config: config, bootstrapServers: bootstrapServers, throttler: throttler,
                                       topics: { [weak self] in self?.topicsInUse ?? [] }, logger: logger,
                                       interval: lagCheckInterval)
        let redriver = try RedriveService.start(config: config, bootstrapServers: bootstrapServers,
                                                dlqTopics: { [weak self] in await self?.existingDLQTopics() ?? [] },
                                                deadLettered: { sink.metricsSnapshot().dlq_sent }, logger: logger)
        state.withLock {
            $0.components = components
            $0.sinkTask = sinkTask
            $0.lagTask = lagTask
            $0.redriver = redriver
            $0.committed = committed
            $0.started = true
        }
        router.manager = self
    }

    /// Stops every stream (draining them), flushes the producer, closes the queue.
    public func stop() async {
        let (streams, components, sinkTask, lagTask, redriver) = state.withLock { s in
            (Array(s.streams.values), s.components, s.sinkTask, s.lagTask, s.redriver)
        }
        guard let components else { return }
        await withTaskGroup(of: Void.self) { group in
            for stream in streams { group.addTask { _ = await stream.stopPolling() } }
        }
        await withTaskGroup(of: Void.self) { group in
            for stream in streams { group.addTask { await stream.drain() } }
        }
        lagTask?.cancel()
        redriver?.1.cancel()
        await redriver?.1.value
        components.queue.close()
        await sinkTask?.value
        try? await components.offsets?.flush()
        await components.sink.close()
        await components.offsets?.close()
        let final = components.sink.metricsSnapshot()
        state.withLock { s in
            s.finalProducerMetrics = final
            s.streams = [:]
            s.byStreamID = [:]
            s.started = false
            s.components = nil
            s.finalRedriveMetrics = s.redriver?.0.metrics
            s.redriver = nil
        }
    }

    /// Simulates a crash: streams stop without draining, nothing more is committed or flushed.
    /// For tests of at-least-once recovery.
    public func abandon() async {
        let (streams, components) = state.withLock { s in (Array(s.streams.values), s.components) }
        for stream in streams { stream.abandon() }
        state.withLock { $0.redriver?.1.cancel() }
        components?.queue.close()
        state.withLock { s in
            s.streams = [:]
            s.byStreamID = [:]
            s.started = false
        }
    }

    // MARK: streams

    /// Starts the configured source. The connector defaults to the registry's for its `source_type`.
    /// Resumes from the source's committed cursor. Returns the new stream id.
    @discardableResult
    public func startStream(sourceID: String, connector: (any SourceConnector)? = nil) async throws -> String {
        try await startStream(sourceID: sourceID, connector: connector, identity: nil)
    }

    private func startStream(sourceID: String, connector: (any SourceConnector)?,
                             identity: ConfigIdentity?) async throws -> String {
        let (config, components, running, committed) = state.withLock { s in
            (s.config, s.components, s.streams[sourceID], s.committed[sourceID])
        }
        guard let components else { throw ManagerError.notStarted }
        guard let source = config.sources[sourceID] else { throw ManagerError.sourceNotConfigured(sourceID) }
        guard source.enabled else { throw ManagerError.sourceDisabled(sourceID) }
        if let running { return running.streamID }
        let identity = identity ?? ConfigIdentity(source)
        let runtime = try makeRuntime(sourceID: sourceID, source: source, identity: identity,
                                      connector: connector, cursor: committed?.cursor, committed: committed?.cursor,
                                      components: components)
        register(runtime)
        // A restart of the manager finds its own record there already: nothing to write.
        let known = committed.map { $0.configHash == identity.hash && $0.config != nil && $0.configVersion == identity.version }
        runtime.start(announce: known != true)
        logger.info("started stream \(runtime.streamID)")
        return runtime.streamID
    }

    /// Stops a stream (by stream id or source id): polling ends, its queued records are sent,
    /// the final cursor is committed.
    public func stopStream(_ id: String) async throws {
        guard let runtime = state.withLock({ s in s.streams[id] ?? s.streams.values.first { $0.streamID == id } }) else {
            throw ManagerError.streamNotFound(id)
        }
        state.withLock { _ = $0.streams.removeValue(forKey: runtime.sourceID) }
        _ = await runtime.stopPolling()
        await runtime.drain()
        // The final cursor is in Kafka before the stop returns: another replica may take the
        // source over right after (a rebalance) and must resume exactly there. This manager
        // remembers it too, so starting the source again here resumes there without a re-read.
        try? await state.withLock { $0.components?.offsets }?.flush()
        state.withLock { s in
            _ = s.byStreamID.removeValue(forKey: runtime.streamID)
            if let delivered = runtime.deliveredCursor {
                let identity = runtime.identity
                s.committed[runtime.sourceID] = CommittedCursor(cursor: delivered, configHash: identity.hash,
                                                                streamID: runtime.streamID, config: identity.compactJSON,
                                                                configVersion: identity.version)
            }
        }
        logger.info("stopped stream \(runtime.streamID)")
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
        let (old, components) = state.withLock { s -> (StreamRuntime?, ManagerComponents?) in
            s.config.sources[sourceID] = source
            return (s.streams[sourceID], s.components)
        }
        guard let components else { throw ManagerError.notStarted }
        guard let old else {
            if source.enabled {
                _ = try await startStream(sourceID: sourceID, connector: connector,
                                          identity: ConfigIdentity(source, hash: configHash, compactJSON: compactJSON,
                                                                   version: configVersion))
            }
            return .unchanged
        }
        let change = classify(old.source, source)
        switch change {
        case .none, .enable:
            return .unchanged
        case .disable:
            try await stopStream(sourceID)
            return .stopped
        case .hot(let fields):
            old.applyHot(source, identity: ConfigIdentity(source, hash: configHash, compactJSON: compactJSON,
                                                          version: configVersion),
                         retryBackoffBase: components.retryBackoffBase)
            return .hot(fields: fields)
        case .restart(let fields):
            let handedOver = await old.stopPolling()
            let identity = ConfigIdentity(source, hash: configHash, compactJSON: compactJSON, version: configVersion)
            let new = try makeRuntime(sourceID: sourceID, source: source, identity: identity,
                                      connector: connector, cursor: handedOver, committed: old.deliveredCursor,
                                      components: components)
            register(new)
            new.start()
            logger.info("reconfigured \(sourceID): \(old.streamID) → \(new.streamID) at cursor \(handedOver ?? "start")")
            await old.drain()
            // The old stream's last commit carried the old config: the new one has the last word.
            new.recommit(fallback: old.deliveredCursor)
            state.withLock { _ = $0.byStreamID.removeValue(forKey: old.streamID) }
            return .restarted(newStreamID: new.streamID, fields: fields)
        }
    }

    /// Hot change of the routing rules for every stream.
    public func updateRouting(_ routing: TopicRoutingConfig) throws {
        let resolver = state.withLock { s -> TopicResolver? in
            s.config.topicRouting = routing
            return s.components?.resolver
        }
        try resolver?.update(routing)
    }

    /// How many streams run.
    public var activeStreamCount: Int { state.withLock { $0.streams.count } }

    /// Re-reads the committed cursors (everything committed before this call, by any replica):
    /// before starting sources that another replica ran until now.
    public func refreshCommittedCursors() async {
        guard let store = state.withLock({ $0.components?.offsets }) else { return }
        do {
            let fresh = try await store.refreshed()
            state.withLock { $0.committed = fresh }
        } catch {
            logger.warning("could not refresh the committed cursors: \(error)")
        }
    }

    /// Stream ids of the running streams.
    public var activeStreams: [String] { state.withLock { $0.streams.values.map(\.streamID).sorted() } }

    /// Source id → the config each running stream runs with.
    public var runningConfigs: [String: SourceConfig] { state.withLock { $0.streams.mapValues(\.source) } }

    /// What runs for one source: its config and canonical hash (one lookup).
    public func runningSource(_ sourceID: String) -> (config: SourceConfig, configHash: String)? {
        state.withLock { s in s.streams[sourceID].map { ($0.source, $0.configHash) } }
    }

    /// The cursor last committed for a source, with the config it was committed under, as this
    /// manager knows it (read at start and on `refreshCommittedCursors`, updated by its own stops).
    public func committedCursor(forSource sourceID: String) -> CommittedCursor? {
        state.withLock { $0.committed[sourceID] }
    }

    /// Drops a removed source's per-source metric series (a source that is gone must not leave
    /// its counters in `/metrics` forever). Call once its stream has stopped.
    public func forgetMetrics(sourceID: String) {
        guard let components = state.withLock({ $0.components }) else { return }
        components.sink.forgetMetrics(sourceID: sourceID)
        components.queue.forgetMetrics(sourceID: sourceID)
        components.resolver.forgetMetrics(sourceID: sourceID)
        FetchPolicy.forgetMetrics(sourceID: sourceID)
    }

    /// The stream id running for a source, if any (one lookup; `runningSources` copies them all).
    public func streamID(forSource sourceID: String) -> String? { state.withLock { $0.streams[sourceID]?.streamID } }

    /// Source id → the config and its canonical hash, as each running stream runs them (the hash
    /// is kept, not recomputed: a reconcile pass over thousands of sources needs it cheap).
    public var runningConfigsAndHashes: [String: (config: SourceConfig, configHash: String)] {
        state.withLock { $0.streams.mapValues { ($0.source, $0.configHash) } }
    }

    /// Source id → stream id of the running streams.
    public var runningSources: [String: String] { state.withLock { $0.streams.mapValues(\.streamID) } }

    /// Source id → what the status topic reports of each running stream.
    public var streamReports: [String: StreamReport] {
        let streams = state.withLock { Array($0.streams.values) }
        return Dictionary(uniqueKeysWithValues: streams.map { ($0.sourceID, $0.report) })
    }

    // MARK: reporting

    public func metrics() -> ManagerMetrics {
        let (streams, components, started, final, redrive) = state.withLock { s in
            (Array(s.streams.values), s.components, s.started, s.finalProducerMetrics,
             s.redriver?.0.metrics ?? s.finalRedriveMetrics)
        }
        var perStream: [String: StreamMetrics] = [:]
        for stream in streams { perStream[stream.streamID] = stream.metrics }
        return ManagerMetrics(
            stream_manager: .init(active_streams: streams.count, is_started: started),
            producer: components?.sink.metricsSnapshot() ?? final,
            queue: components?.queue.metrics ?? PriorityQueue(maxSize: nil).metrics,
            throttling: components?.throttler.metrics ?? Throttler(settings: .disabled).metrics,
            topic_resolver: components?.resolver.metrics ?? TopicResolverMetrics(),
            streams: perStream,
            dlq_redrive: redrive)
    }

    public func healthCheck() -> HealthReport {
        let (count, components, started) = state.withLock { s in (s.streams.count, s.components, s.started) }
        let lastError = components?.sink.lastClientError
        let connected = started && !(lastError.map { $0.code == .allBrokersDown || $0.code == .transport } ?? false)
        let queueMetrics = components?.queue.metrics
        let queueHealthy = (queueMetrics?.utilization_percent ?? 0) < 95
        let producer = HealthReport.Producer(healthy: started && connected, kafka_connected: connected,
                                             last_error: lastError?.description)
        let queue = HealthReport.Queue(healthy: queueHealthy, size: queueMetrics?.size ?? 0,
                                       utilization_percent: queueMetrics?.utilization_percent ?? 0)
        let streams = HealthReport.Streams(active_count: count, healthy: started)
        return HealthReport(healthy: producer.healthy && queue.healthy && streams.healthy,
                            components: .init(producer: producer, queue: queue, streams: streams))
    }

    // MARK: internals

    /// The connector is held to the manager's `manager.source_access`; whatever its references
    /// resolve to is masked in every error of the stream (its own, and this one when it cannot start).
    private func makeRuntime(sourceID: String, source: SourceConfig, identity: ConfigIdentity,
                             connector: (any SourceConnector)?, cursor: String?, committed: String?,
                             components: ManagerComponents) throws -> StreamRuntime {
        let access = config.manager.sourceAccess
        let environment = self.environment
        let redaction = Redaction(secrets: SourceSecrets.values(in: source.connector, environment: access.visibleEnvironment(environment)))
        let connector = try connector ?? {
            do { return try registry.makeConnector(sourceID: sourceID, source: source, environment: environment, access: access) } catch {
                throw ManagerError.connector(redaction.text("\(error)"))
            }
        }()
        components.sink.setDeadLetterTopic(source.dlqTopic, forSource: sourceID)
        return StreamRuntime(sourceID: sourceID, source: source, identity: identity, connector: connector,
                             cursor: cursor, committed: committed, components: components, redaction: redaction, logger: logger)
    }

    private func register(_ runtime: StreamRuntime) {
        state.withLock { s in
            s.streams[runtime.sourceID] = runtime
            s.byStreamID[runtime.streamID] = runtime
        }
    }

    fileprivate func route(_ outcomes: [DeliveryOutcomes]) {
        let runtimes = state.withLock { s in outcomes.map { s.byStreamID[$0.streamID] } }
        for (outcome, runtime) in zip(outcomes, runtimes) {
            runtime?.settle(outcome.sequences, failed: outcome.failed + outcome.deadLettered, dropped: outcome.dropped)
        }
    }

    /// The DLQ topics of the running streams that exist (the re-driver watches those).
    func existingDLQTopics() async -> Set<String> {
        let wanted = dlqTopicsInUse
        guard !wanted.isEmpty, let sink = state.withLock({ $0.components?.sink }),
              let existing = try? await sink.topicNames() else { return [] }
        return wanted.intersection(existing)
    }

    /// The DLQ topics the running streams write to when a record fails.
    var dlqTopicsInUse: Set<String> {
        let (streams, resolver, routing) = state.withLock { s in
            (Array(s.streams.values), s.components?.resolver, s.config.topicRouting)
        }
        guard let resolver else { return [] }
        var topics: Set<String> = []
        for s in streams {
            let source = s.source
            let topic = resolver.topic(sourceID: s.sourceID, sourceType: source.sourceType, sourceTopic: source.topic)
            topics.formUnion(RedriveService.dlqTopics(source: source, staticTopic: topic, routing: routing))
        }
        return topics
    }

    var topicsInUse: [String] {
        let (streams, resolver) = state.withLock { s in (Array(s.streams.values), s.components?.resolver) }
        guard let resolver else { return [] }
        return Array(Set(streams.map { s in
            let source = s.source
            return resolver.topic(sourceID: s.sourceID, sourceType: source.sourceType, sourceTopic: source.topic)
        })).sorted()
    }
}

/// Delivers sink outcomes to the manager, which is created after the sink.
private final class OutcomeRouter: Sendable {
    private let target = Mutex<WeakManager?>(nil)
    private struct WeakManager: @unchecked Sendable { weak var value: StreamManagerV2? }
    var manager: StreamManagerV2? {
        get { target.withLock { $0?.value } }
        set { target.withLock { $0 = WeakManager(value: newValue) } }
    }
    func route(_ outcomes: [DeliveryOutcomes]) { manager?.route(outcomes) }
}
