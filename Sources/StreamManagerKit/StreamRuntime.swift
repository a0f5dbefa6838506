import Connectors
import Foundation
import HTTPTransport
import Kafka
import Logging
import Pipeline
import ServiceLifecycle
import StreamConfig
import Synchronization

/// Runs streams of configured sources through one shared pipeline (queue → throttler → resolver →
/// producer with DLQ), with cursors committed to the offsets topic after delivery. Shaped for the
/// reconciler: it does what it is told — `start`, `applyHot`, `restart`
/// (make-before-break) or `stop` one source, given its accepted config — and reports what runs.
/// Deciding which of those a change needs is the plan's job (`plan(desired:running:)`); each
/// source's config is held once, by its running stream.
///
/// Lifecycle: `open()` opens the shared parts and reads the committed cursors; `run()` is a
/// `Service` that runs the offsets topic's follower, the sink, the DLQ re-driver, the lag monitor
/// and every stream's ingestion loop in a `ServiceGroup` until graceful shutdown (or `shutdown()`),
/// which stops them in reverse: the streams drain, then the lag monitor, the re-driver, the sink
/// (which sends what the streams left and flushes) and the follower.
public final class StreamRuntime: Service, Sendable {
    private struct State {
        var routing: TopicRoutingConfig
        var components: RuntimeComponents?
        var redriver: DeadLetterRedriver?
        /// Streams handed to `run()`'s `StreamLoops`; taken by `run()` once.
        var launches: AsyncStream<RunningStream>.Continuation?
        var pendingLaunches: AsyncStream<RunningStream>?
        /// Starts are accepted from `open()` until shutdown begins.
        var accepting = false
        var group: ServiceGroup?
        /// Set while `run()` runs; resolved when it has closed everything.
        var runEnded: OneShot<Void>?
        var shutdownRequested = false
        var abandoned = false
        var committed: [String: CommittedCursor] = [:]
        /// Sources this runtime stopped since it last read their cursor: anyone may have edited
        /// or reset the cursor while they were stopped (`offsets set`, `offsets reset`).
        var stoppedHere: Set<String> = []
        /// Running streams by source id.
        var streams: [String: RunningStream] = [:]
        /// Producer totals of the last run, kept after shutdown for final reports.
        var finalProducerMetrics: ProducerMetricsSnapshot = .zero
        var finalRedriveMetrics: DeadLetterRedriveMetrics?
    }

    private let state: Mutex<State>
    /// The runtime's own settings (Kafka, queue, throttling, DLQ, manager); sources are not kept here.
    private let settings: StreamManagerConfig
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

    /// The fleet-wide request budgets every fetch of a budgeted source waits on. Seeded from
    /// `config` (its `budgets` and the members among its `sources`); the reconciler keeps it
    /// current with the desired state.
    public let budgets = BudgetBoard()

    /// `config` gives the shared settings; its `sources` are ignored (streams are started one by
    /// one) except to share out its `budgets`.
    public init(config: StreamManagerConfig, bootstrapServers: [String]? = nil, registry: ConnectorRegistry = .shared,
                logger: Logger = Logger(label: "stream-manager"), clock: any PipelineClock = SystemPipelineClock(),
                useOffsetsTopic: Bool = true, lagCheckInterval: Duration = .seconds(5)) {
        var settings = config
        settings.sources = [:]
        self.settings = settings
        state = Mutex(State(routing: config.topicRouting))
        self.bootstrapServers = bootstrapServers ?? .bootstrapList(config.kafka.bootstrapServers)
        self.registry = registry
        self.logger = logger
        self.clock = clock
        self.useOffsetsTopic = useOffsetsTopic
        self.lagCheckInterval = lagCheckInterval
        environment = ProcessInfo.processInfo.environment
        budgets.update(budgets: config.budgets,
                       members: BudgetMembership.members(budgets: config.budgets, sources: config.sources))
    }

    // MARK: lifecycle

    /// Opens the shared parts (queue, throttler, resolver, sink, offsets store) and reads the
    /// committed cursors. Does nothing when they are open; throws while Kafka cannot be reached.
    public func open() async throws {
        guard state.withLock({ $0.components == nil }) else { return }
        let config = settings
        let queue = PriorityQueue(maxSize: config.queueMaxSize > 0 ? config.queueMaxSize : nil,
                                  maxBytes: config.queueMaxBytes > 0 ? config.queueMaxBytes : nil,
                                  overflow: config.queueOverflowStrategy)
        let throttler = Throttler(settings: ThrottleSettings(config.throttling), clock: clock)
        let resolver = try TopicResolver(rules: state.withLock { $0.routing })
        var sinkSettings = KafkaSink.Settings()
        sinkSettings.batchSize = max(1, config.kafka.batchSize)
        sinkSettings.maxRetries = config.kafka.maxRetries
        sinkSettings.enableDLQ = config.enableDLQ
        let outcomes = DeliveryOutcomeHandlers()
        // Built once: it resolves the `${ENV}` references of `kafka.properties` (SASL passwords).
        let producerConfiguration = try KafkaProducerConfiguration(config.kafka, bootstrapServers: bootstrapServers)
        let sink = try KafkaSink(producerConfiguration: producerConfiguration,
                                 queue: queue, throttler: config.throttling.enabled ? throttler : nil,
                                 settings: sinkSettings, logger: logger, outcomes: outcomes)
        var offsets: OffsetStore?
        var committed: [String: CommittedCursor] = [:]
        if useOffsetsTopic {
            let store = try OffsetStore(topic: config.manager.offsetsTopic, bootstrapServers: bootstrapServers,
                                        properties: producerConfiguration.properties,
                                        logger: logger)
            committed = try await store.load()
            offsets = store
        }
        let redriver = try RedriveService.redriver(config: config, bootstrapServers: bootstrapServers, logger: logger)
        let components = RuntimeComponents(queue: queue, throttler: throttler, resolver: resolver,
                                           limiters: RateLimiterRegistry(clock: clock), budgets: budgets, sink: sink, outcomes: outcomes,
                                           offsets: offsets, clock: clock, retryBackoffBase: config.kafka.retryBackoffBase)
        let (launches, continuation) = AsyncStream<RunningStream>.makeStream()
        state.withLock { s in
            s.components = components
            s.redriver = redriver
            s.committed = committed
            s.pendingLaunches = launches
            s.launches = continuation
            s.accepting = true
            s.abandoned = false
            s.shutdownRequested = false
        }
    }

    /// Runs the shared parts and the streams until graceful shutdown, `shutdown()` or
    /// cancellation; opens them first if needed. Everything is closed when it returns.
    public func run() async throws {
        try await open()
        let ended = OneShot<Void>()
        let taken = state.withLock { s -> (RuntimeComponents, AsyncStream<RunningStream>, DeadLetterRedriver?)? in
            guard let components = s.components, let launches = s.pendingLaunches else { return nil }
            s.pendingLaunches = nil
            s.runEnded = ended
            return (components, launches, s.redriver)
        }
        guard let taken else { throw StreamRuntimeError.notStarted }
        let (components, launches, redriver) = taken
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let offsets = components.offsets {
            services.append(.init(service: offsets, successTerminationBehavior: .ignore, serviceName: "offsets-follower"))
        }
        services.append(.init(service: SinkService(sink: components.sink, queue: components.queue, logger: logger),
                              successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "sink"))
        if let redriver {
            let sink = components.sink
            services.append(.init(service: RedriveService(redriver: redriver, dlqTopics: { await self.existingDLQTopics() },
                                                          deadLettered: { sink.metricsSnapshot().dlqSent }),
                                  successTerminationBehavior: .ignore, serviceName: "dlq-redriver"))
        }
        if let lag = LagMonitor(config: settings, bootstrapServers: bootstrapServers, throttler: components.throttler,
                                topics: { self.topicsInUse }, logger: logger, interval: lagCheckInterval) {
            services.append(.init(service: lag, successTerminationBehavior: .ignore, serviceName: "lag-monitor"))
        }
        services.append(.init(service: StreamLoops(launches: launches,
                                                   finishLaunches: { self.state.withLock { $0.launches?.finish() } },
                                                   stopAll: { await self.stopAllStreams() }),
                              successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "streams"))
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let requested = state.withLock { s -> Bool in
            s.group = group
            return s.shutdownRequested
        }
        if requested { await group.triggerGracefulShutdown() }
        do {
            try await group.run()
        } catch {
            logger.error("stream runtime stopped: \(error)")
        }
        await close(components)
        ended.resolve(())
    }

    /// Ends a `run()` started outside a service group as graceful shutdown would, and returns once
    /// everything is closed. Without `run()`, closes what `open()` opened.
    public func shutdown() async {
        let (group, ended, components) = state.withLock { s in
            s.shutdownRequested = true
            return (s.group, s.runEnded, s.components)
        }
        if let ended {
            await group?.triggerGracefulShutdown()
            await ended.value
        } else if let components {
            await stopAllStreams()
            await close(components)
        }
    }

    /// Simulates a crash: streams stop without draining, nothing more is committed or flushed.
    /// For tests of at-least-once recovery.
    public func abandon() async {
        let (streams, components) = state.withLock { s in
            s.abandoned = true
            s.accepting = false
            defer { s.streams = [:] }
            return (Array(s.streams.values), s.components)
        }
        for stream in streams {
            stream.abandon()
            components?.outcomes.unregister(streamID: stream.streamID)
        }
        await shutdown()
    }

    /// Stops every stream at a poll boundary, then waits for each to drain (cursors committed).
    private func stopAllStreams() async {
        let (streams, outcomes) = state.withLock { s in
            s.accepting = false
            return (Array(s.streams.values), s.components?.outcomes)
        }
        await withTaskGroup(of: Void.self) { group in
            for stream in streams { group.addTask { _ = await stream.stopPolling() } }
        }
        await withTaskGroup(of: Void.self) { group in
            for stream in streams { group.addTask { await stream.drain() } }
        }
        for stream in streams { outcomes?.unregister(streamID: stream.streamID) }
    }

    /// After the services stopped: the offsets flushed, the producers closed (a crash closes nothing).
    private func close(_ components: RuntimeComponents) async {
        components.queue.close()
        let abandoned = state.withLock { $0.abandoned }
        if !abandoned {
            try? await components.offsets?.flush()
            await components.sink.close()
            await components.offsets?.close()
        }
        let final = components.sink.metricsSnapshot()
        state.withLock { s in
            s.finalProducerMetrics = final
            s.finalRedriveMetrics = s.redriver?.metrics
            s.streams = [:]
            s.components = nil
            s.redriver = nil
            s.launches?.finish()
            s.launches = nil
            s.pendingLaunches = nil
            s.accepting = false
            s.group = nil
            s.runEnded = nil
        }
    }

    // MARK: streams

    /// Starts a stream for the source, resuming from its committed cursor; returns its stream id
    /// (the running one's, if the source runs already). The cursor is the newest the offsets
    /// follower has read, so one set or reset by hand (`stream-manager offsets`) is honoured; a
    /// source this runtime stopped earlier first waits until the follower has read the topic to
    /// its end (its own final commit, and an edit made right after it). Other starts — every
    /// source at boot — wait for nothing.
    @discardableResult
    public func start(_ source: DesiredSource, connector: (any SourceConnector)? = nil) async throws -> String {
        let (stoppedHere, store) = state.withLock { s in
            (s.stoppedHere.contains(source.sourceID) && s.streams[source.sourceID] == nil, s.components?.offsets)
        }
        if stoppedHere {
            try await catchUpCursor(of: source.sourceID)
        } else if let store, state.withLock({ $0.streams[source.sourceID] == nil }) {
            // A source that did not run here since the cursors were read (disabled since boot,
            // or failing to start) may have had its cursor edited meanwhile.
            let latest = store.latest(sourceID: source.sourceID)
            state.withLock { $0.committed[source.sourceID] = latest }
        }
        let (components, running, committed) = state.withLock { s in
            (s.accepting ? s.components : nil, s.streams[source.sourceID], s.committed[source.sourceID])
        }
        guard let components else { throw StreamRuntimeError.notStarted }
        if let running { return running.streamID }
        let stream = try makeStream(source, connector: connector, cursor: committed?.cursor, committed: committed?.cursor,
                                    components: components)
        try launch(stream, components: components)
        // A restart of the manager finds its own record there already: nothing to write.
        let known = committed.map {
            $0.configHash == source.configHash && $0.config != nil && $0.configVersion == source.configVersion
        }
        if known != true { stream.recommit() }
        logger.info("started stream \(stream.streamID)")
        return stream.streamID
    }

    /// Applies a config whose changes are all hot to the running stream, in place.
    public func applyHot(_ source: DesiredSource) throws {
        let (stream, components) = state.withLock { s in (s.streams[source.sourceID], s.components) }
        guard let stream, let components else { throw StreamRuntimeError.streamNotFound(source.sourceID) }
        stream.applyHot(source, retryBackoffBase: components.retryBackoffBase)
    }

    /// Make-before-break: the running stream stops at a poll boundary and hands its live cursor to a
    /// new stream with the new config, then drains. No record is lost or repeated. Returns the new
    /// stream id.
    @discardableResult
    public func restart(_ source: DesiredSource, connector: (any SourceConnector)? = nil) async throws -> String {
        let (old, components) = state.withLock { s in (s.streams[source.sourceID], s.components) }
        guard let components else { throw StreamRuntimeError.notStarted }
        guard let old else { throw StreamRuntimeError.streamNotFound(source.sourceID) }
        let handedOver = await old.stopPolling()
        let new = try makeStream(source, connector: connector, cursor: handedOver, committed: old.deliveredCursor,
                                 components: components)
        try launch(new, components: components)
        logger.info("reconfigured \(source.sourceID): \(old.streamID) → \(new.streamID) at cursor \(handedOver ?? "start")")
        await old.drain()
        // The old stream's last commit carried the old config: the new one has the last word.
        new.recommit(fallback: old.deliveredCursor)
        components.outcomes.unregister(streamID: old.streamID)
        return new.streamID
    }

    /// Stops the source's stream: polling ends, its queued records are sent, the final cursor is
    /// committed and flushed.
    public func stop(sourceID: String) async throws {
        let (stream, components) = state.withLock { s in (s.streams.removeValue(forKey: sourceID), s.components) }
        guard let stream else { throw StreamRuntimeError.streamNotFound(sourceID) }
        _ = await stream.stopPolling()
        await stream.drain()
        // The final cursor is in Kafka before the stop returns: another replica may take the
        // source over right after (a rebalance) and must resume exactly there, and a start here
        // reads it back with whatever was written after it.
        try? await components?.offsets?.flush()
        components?.outcomes.unregister(streamID: stream.streamID)
        // Remembered until that start reads the topic (and without an offsets topic, for good).
        let final = stream.deliveredCursor.map { delivered in
            CommittedCursor(cursor: delivered, configHash: stream.source.configHash, streamID: stream.streamID,
                            config: stream.source.compactJSON, configVersion: stream.source.configVersion)
        }
        state.withLock { s in
            s.stoppedHere.insert(sourceID)
            if let final { s.committed[sourceID] = final }
        }
        logger.info("stopped stream \(stream.streamID)")
    }

    /// Hot change of the routing rules for every stream.
    public func updateRouting(_ routing: TopicRoutingConfig) throws {
        let resolver = state.withLock { s -> TopicResolver? in
            s.routing = routing
            return s.components?.resolver
        }
        try resolver?.update(routing)
    }

    /// Reads the offsets topic to its end before starting a source this runtime stopped: its own
    /// final commit (flushed by the stop) and anything written after it, the newest winning; a
    /// tombstone (`offsets reset`) leaves no cursor, so the source begins as new. Throws when the
    /// topic cannot be read: the start is retried rather than resuming from a cursor that may
    /// have been replaced.
    private func catchUpCursor(of sourceID: String) async throws {
        guard let store = state.withLock({ $0.components?.offsets }) else {
            state.withLock { _ = $0.stoppedHere.remove(sourceID) }
            return
        }
        let fresh = try await store.refreshed()
        state.withLock { s in
            s.committed[sourceID] = fresh[sourceID]
            s.stoppedHere.remove(sourceID)
        }
    }

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

    /// Drops a removed source's per-source metric series (a source that is gone must not leave
    /// its counters in `/metrics` forever). Call once its stream has stopped.
    public func forgetMetrics(sourceID: String) {
        guard let components = state.withLock({ $0.components }) else { return }
        components.sink.forgetMetrics(sourceID: sourceID)
        components.queue.forgetMetrics(sourceID: sourceID)
        components.resolver.forgetMetrics(sourceID: sourceID)
        FetchPolicy.forgetMetrics(sourceID: sourceID)
    }

    // MARK: what runs

    /// The config a source's stream runs, with its hash and version (one lookup).
    public func runningSource(_ sourceID: String) -> DesiredSource? {
        let stream = state.withLock { $0.streams[sourceID] }
        return stream?.source
    }

    /// The stream id running for a source, if any (one lookup; `runningSources` copies them all).
    public func streamID(forSource sourceID: String) -> String? { state.withLock { $0.streams[sourceID]?.streamID } }

    /// Source id → stream id of the running streams.
    public var runningSources: [String: String] { state.withLock { $0.streams.mapValues(\.streamID) } }

    /// Source id → the config each running stream runs with.
    public var runningConfigs: [String: SourceConfig] { runningDesiredSources.mapValues(\.config) }

    /// Source id → the accepted config each running stream runs, with its hash.
    public var runningDesiredSources: [String: DesiredSource] {
        let streams = state.withLock { $0.streams }
        return streams.mapValues(\.source)
    }

    /// How many streams run.
    public var activeStreamCount: Int { state.withLock { $0.streams.count } }

    /// Stream ids of the running streams.
    public var activeStreams: [String] { state.withLock { $0.streams.values.map(\.streamID).sorted() } }

    /// What the status topic reports of one source's running stream (one lookup).
    public func report(forSource sourceID: String) -> StreamReport? { state.withLock { $0.streams[sourceID] }?.report }

    /// Source id → what the status topic reports of each running stream.
    public var streamReports: [String: StreamReport] {
        let streams = state.withLock { Array($0.streams.values) }
        return Dictionary(uniqueKeysWithValues: streams.map { ($0.sourceID, $0.report) })
    }

    /// The cursor last committed for a source, with the config it was committed under, as this
    /// runtime knows it (read at open, on `refreshCommittedCursors` and before starting a source it
    /// stopped; updated by its own stops).
    public func committedCursor(forSource sourceID: String) -> CommittedCursor? {
        state.withLock { $0.committed[sourceID] }
    }

    /// The cursor last committed for a source as the offsets topic shows it now (whichever replica
    /// committed it), else as this runtime knows it.
    public func latestCommittedCursor(forSource sourceID: String) -> CommittedCursor? {
        let store = state.withLock { $0.components?.offsets }
        return store?.latest(sourceID: sourceID) ?? committedCursor(forSource: sourceID)
    }

    /// Whether the shared parts are open.
    public var isStarted: Bool { state.withLock { $0.components != nil } }

    // MARK: reporting

    public func metrics() -> ManagerMetrics {
        let (streams, components, final, redrive) = state.withLock { s in
            (Array(s.streams.values), s.components, s.finalProducerMetrics, s.redriver?.metrics ?? s.finalRedriveMetrics)
        }
        var perStream: [String: StreamMetrics] = [:]
        for stream in streams { perStream[stream.streamID] = stream.metrics }
        return ManagerMetrics(
            streamManager: .init(activeStreams: streams.count, isStarted: components != nil),
            producer: components?.sink.metricsSnapshot() ?? final,
            queue: components?.queue.metrics ?? PriorityQueue(maxSize: nil).metrics,
            throttling: components?.throttler.metrics ?? Throttler(settings: .disabled).metrics,
            topicResolver: components?.resolver.metrics ?? TopicResolverMetrics(),
            streams: perStream,
            dlqRedrive: redrive)
    }

    public func healthCheck() -> HealthReport {
        let (count, components) = state.withLock { s in (s.streams.count, s.components) }
        let started = components != nil
        let lastError = components?.sink.lastClientError
        let connected = started && !(lastError.map { $0.code == .allBrokersDown || $0.code == .transport } ?? false)
        let queueMetrics = components?.queue.metrics
        let queueHealthy = (queueMetrics?.utilizationPercent ?? 0) < 95
        let producer = HealthReport.Producer(healthy: started && connected, kafkaConnected: connected,
                                             lastError: lastError?.description)
        let queue = HealthReport.Queue(healthy: queueHealthy, size: queueMetrics?.size ?? 0,
                                       utilizationPercent: queueMetrics?.utilizationPercent ?? 0)
        let streams = HealthReport.Streams(activeCount: count, healthy: started)
        return HealthReport(healthy: producer.healthy && queue.healthy && streams.healthy,
                            components: .init(producer: producer, queue: queue, streams: streams))
    }

    // MARK: internals

    /// The connector is held to the runtime's `manager.source_access`; whatever its references
    /// resolve to is masked in every error of the stream (its own, and this one when it cannot start).
    private func makeStream(_ source: DesiredSource, connector: (any SourceConnector)?, cursor: String?, committed: String?,
                            components: RuntimeComponents) throws -> RunningStream {
        let access = settings.manager.sourceAccess
        let environment = self.environment
        let redaction = Redaction(secrets: SourceSecrets.values(in: source.config.connector,
                                                                environment: access.visibleEnvironment(environment)))
        let connector = try connector ?? {
            do {
                return try registry.makeConnector(sourceID: source.sourceID, source: source.config, environment: environment,
                                                  access: access)
            } catch {
                throw StreamRuntimeError.connector(redaction.text("\(error)"))
            }
        }()
        components.sink.setDeadLetterTopic(source.config.dlqTopic, forSource: source.sourceID)
        return RunningStream(source: source, connector: connector, cursor: cursor, committed: committed,
                             components: components, redaction: redaction, logger: logger)
    }

    /// Registers the stream's outcome handler, then hands it to `run()`'s stream loops.
    private func launch(_ stream: RunningStream, components: RuntimeComponents) throws {
        let ledger = stream.ledger
        components.outcomes.register(streamID: stream.streamID) { ledger.settle($0) }
        let launched = state.withLock { s -> Bool in
            guard s.accepting, let launches = s.launches else { return false }
            s.streams[stream.sourceID] = stream
            launches.yield(stream)
            return true
        }
        if !launched {
            components.outcomes.unregister(streamID: stream.streamID)
            throw StreamRuntimeError.notStarted
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
        let (streams, resolver, routing) = state.withLock { s in (Array(s.streams.values), s.components?.resolver, s.routing) }
        guard let resolver else { return [] }
        var topics: Set<String> = []
        for s in streams {
            let source = s.source.config
            let topic = resolver.topic(sourceID: s.sourceID, sourceType: source.sourceType, sourceTopic: source.topic)
            topics.formUnion(RedriveService.dlqTopics(source: source, staticTopic: topic, routing: routing))
        }
        return topics
    }

    var topicsInUse: [String] {
        let (streams, resolver) = state.withLock { s in (Array(s.streams.values), s.components?.resolver) }
        guard let resolver else { return [] }
        return Array(Set(streams.map { s in
            let source = s.source.config
            return resolver.topic(sourceID: s.sourceID, sourceType: source.sourceType, sourceTopic: source.topic)
        })).sorted()
    }
}
