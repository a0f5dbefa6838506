import Foundation
import Kafka
import Kubernetes
import Logging
import Pipeline
import Reconciler
import ServiceLifecycle
import StreamConfig
import StreamManagerKit
import Synchronization

/// The operator as one `Service`: desired state → reconcile loop → `StreamRuntime`, with the
/// status publisher reporting each step. Its parts run as services of one `ServiceGroup`, started
/// in this order and stopped by graceful shutdown in reverse: the operator's own loops (status
/// ticks, broker health, start-up) stop first and publish the last counts; the fleet membership
/// leaves the replicas' group, whose revocation hands every owned source over while the reconcile
/// loop can still act; the reconcile loop stops; the runtime drains and flushes the streams
/// (cursors committed) and stops its DLQ re-driver, lag monitor and sink; a fleet's status-topic
/// view stops following. Then the final statuses are published and the heartbeat tombstoned.
public final class StreamOperator: Service, Sendable {
    public let settings: OperatorSettings
    public let runtime: StreamRuntime
    public let loop: ReconcileLoop
    public let publisher: StatusPublisher
    /// Asks the loop to restart streams that stopped working (checked on the status tick).
    public let supervisor: StreamSupervisor
    /// Kafka mode with shared sources: which sources this replica owns.
    public let ownership: Ownership?
    private let staleGuard: StaleStatusGuard?
    /// The status topic, followed: the fleet dashboard's board is fed from it; in a fleet the guard
    /// also reads it, and the publisher sweeps stale records with it. A single replica sweeps once
    /// after its initial sync (`sweepStatusOnce`).
    fileprivate let statusView: StatusTopicView
    /// The whole fleet as the status topic shows it, for the dashboard.
    public let fleet: FleetBoard
    /// The config topic's versions of a source, read for the dashboard's detail view.
    let versionCache = ConfigVersionCache()
    fileprivate let brokerHealth: BrokerHealth
    private let statusProducer: KafkaProducer
    /// `kafka.properties`, `${ENV}` resolved: every client of the operator uses them.
    let properties: [String: String]
    let logger: Logger
    /// When the tick loop last ran (liveness: the process and its loops are alive).
    fileprivate let lastTick = Mutex<ContinuousClock.Instant?>(nil)
    fileprivate let started = Mutex(false)
    /// Resolved once start-up is done: true when Kafka answered, false when shutdown came first.
    fileprivate let prepared = OneShot<Bool>()

    public init(settings: OperatorSettings, logger: Logger) throws {
        MetricsExport.install()  // before any metric object exists
        self.settings = settings
        self.logger = logger
        let properties = try settings.config.kafka.resolvedProperties()
        self.properties = properties
        // The desired-state source decides what runs: the runtime takes only the shared settings.
        let runtime = StreamRuntime(config: settings.config, bootstrapServers: settings.bootstrapServers, logger: logger)
        self.runtime = runtime

        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: settings.bootstrapServers)
        producerConfiguration.clientID = "stream-manager-status"
        producerConfiguration.lingerMilliseconds = 1  // status changes are few; show them promptly
        producerConfiguration.properties = properties
        let statusProducer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        self.statusProducer = statusProducer
        let statusTopic = settings.statusTopic
        brokerHealth = BrokerHealth { try await statusProducer.probe(topic: statusTopic, timeout: .seconds(2)) }
        let fleet = FleetBoard(instanceID: settings.instanceID, statusTopic: settings.statusTopic)
        self.fleet = fleet
        let sharing: Bool
        if case .kafka = settings.desiredSource { sharing = settings.shareSources } else { sharing = false }
        // In a fleet, budget pauses other replicas announce hold this one's requests too.
        var onBudgetPause: (@Sendable (BudgetPause) -> Void)?
        if sharing { onBudgetPause = { runtime.budgets.apply($0) } }
        let view = StatusTopicView(topic: settings.statusTopic,
                                   configuration: Self.reader("stream-manager-status-reader", settings, properties),
                                   logger: logger, onBudgetPause: onBudgetPause, observe: { fleet.observe($0) })
        statusView = view
        ownership = sharing ? Ownership() : nil
        staleGuard = sharing ? StaleStatusGuard(view: view, instanceID: settings.instanceID) : nil
        let statusWriter = KafkaStatusWriter(topic: settings.statusTopic, producer: statusProducer, logger: logger)
        let instanceID = settings.instanceID
        runtime.budgets.onPause { pause in
            statusWriter.write(key: BudgetPauseRecord.key(pause.budget), value: BudgetPauseRecord(pause, instanceID: instanceID).json())
        }
        publisher = StatusPublisher(
            identity: .init(instanceID: settings.instanceID, configSource: settings.configSourceName),
            writer: statusWriter,
            runtime: runtime, interval: settings.statusInterval, ownership: ownership, staleGuard: staleGuard,
            statusView: ownership == nil ? nil : view, logger: logger)

        // What sources may read comes from the operator's own --config only, never from the desired state.
        let access = settings.config.manager.sourceAccess
        let source: any DesiredStateSource
        switch settings.desiredSource {
        case .kafka:
            source = ConfigTopicSource(topic: settings.configTopic,
                                       configuration: Self.reader("stream-manager-config", settings, properties),
                                       access: access, logger: logger)
        case .file(let path):
            source = FileSource(path: path, pollInterval: settings.filePollInterval, access: access, logger: logger)
        case .configMap(let c):
            let watcher = ConfigMapWatcher(client: KubeAPIClient(config: c.client, logger: logger), namespace: c.namespace,
                                           name: c.name, timing: c.timing, logger: logger)
            source = ConfigMapSource(watcher: watcher, key: c.key, keepOnDelete: c.keepOnDelete, access: access, logger: logger)
        }
        let publisher = self.publisher
        // A last accepted config read back from the offsets topic is held to the same rules.
        loop = ReconcileLoop(runtime: runtime, source: source, logger: logger, ownership: ownership,
                             validation: .operator(access)) { publisher.handle($0) }
        supervisor = StreamSupervisor(loop: loop, restartAfterFailures: settings.config.manager.restartAfterFailures)
    }

    /// A follower of one of the operator's compacted topics (config, status).
    static func reader(_ clientID: String, _ settings: OperatorSettings,
                               _ properties: [String: String]) -> KafkaConsumerConfiguration {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: settings.bootstrapServers)
        consumer.clientID = clientID
        consumer.properties = properties
        consumer.idleFetchWaitMilliseconds = Int(settings.configFetchWait / .milliseconds(1))
        return consumer
    }

    private var adminConfiguration: KafkaAdminConfiguration {
        var admin = KafkaAdminConfiguration(bootstrapServers: settings.bootstrapServers)
        admin.properties = properties
        return admin
    }

    /// Liveness: the tick loop ran within the last 30 s (or the operator is still starting).
    /// Never depends on Kafka being reachable.
    public var isAlive: Bool {
        guard let last = lastTick.withLock({ $0 }) else { return true }
        return ContinuousClock.now - last < .seconds(30)
    }

    /// Readiness: the initial sync of desired state is applied, and the brokers have not been
    /// unreachable for longer than `manager.broker_unavailable_seconds`.
    public var isReady: Bool {
        guard loop.isReady else { return false }
        guard let away = brokerHealth.unreachableFor else { return true }
        return away <= Saturating.duration(seconds: settings.config.manager.brokerUnavailableSeconds)
    }

    public func run() async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            // Followed until the runtime has stopped: the guard reads it for the final statuses.
            .init(service: AfterStartup(gate: prepared, service: statusView), successTerminationBehavior: .ignore,
                  serviceName: "status-view"),
        ]
        services += [
            .init(service: AfterStartup(gate: prepared, service: runtime),
                  successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup,
                  serviceName: "stream-runtime"),
            // The desired-state source may end (a test's); what runs keeps running until shutdown.
            .init(service: AfterStartup(gate: prepared, service: loop), successTerminationBehavior: .ignore,
                  serviceName: "reconcile-loop"),
        ]
        if ownership != nil {
            services.append(.init(service: FleetService(op: self), successTerminationBehavior: .ignore,
                                  serviceName: "fleet-membership"))
        }
        services.append(.init(service: OperatorLoops(op: self), successTerminationBehavior: .gracefullyShutdownGroup,
                              serviceName: "operator"))
        do {
            try await ServiceGroup(configuration: .init(services: services, logger: logger)).run()
        } catch {
            logger.error("operator services stopped: \(error)")
        }
        await shutDown()
    }

    /// A single replica's sweep of the status topic: once the initial sync is applied and a few
    /// seconds have passed (records written around the sync have landed), records of sources that
    /// are no longer desired — removed while no manager ran — are tombstoned. Once: nothing else
    /// writes records of this replica's sources.
    fileprivate func sweepStatusOnce() async {
        while !Task.isCancelled && !(loop.isReady && started.withLock({ $0 })) { try? await Task.sleep(for: .milliseconds(200)) }
        try? await Task.sleep(for: .seconds(3))
        guard !Task.isCancelled else { return }
        do {
            try await statusView.catchUp()
            publisher.sweepOnce(self.view, in: statusView)
        } catch {
            logger.warning("could not read the status topic to remove stale records: \(error)")
        }
    }

    /// The replicas' group on the config topic, once its partition count is known.
    fileprivate func fleetMembership() async -> FleetMembership? {
        guard let ownership else { return nil }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if let count = try? await KafkaAdmin(configuration: adminConfiguration, logger: logger).partitions(of: settings.configTopic)?.count,
               count > 0 {
                ownership.setPartitionCount(count)
                break
            }
            try? await Task.sleep(for: .seconds(1))
        }
        guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return nil }
        let manager = settings.config.manager
        var consumer = KafkaConsumerConfiguration(bootstrapServers: settings.bootstrapServers, groupID: manager.groupID)
        consumer.clientID = "stream-manager-fleet-\(settings.instanceID)"
        consumer.sessionTimeoutMilliseconds = manager.sessionTimeoutMs
        // A survivor hears of a rebalance (a replica gone) at its next heartbeat: frequent ones
        // take that wait off every failover, for a few small requests a second.
        consumer.heartbeatIntervalMilliseconds = min(1_000, max(100, manager.sessionTimeoutMs / 30))
        consumer.properties = properties
        let loop = self.loop
        return FleetMembership(topic: settings.configTopic, configuration: consumer, ownership: ownership, logger: logger,
                               onAssign: { _ in await loop.reconcileNow() },
                               // The rebalance waits for this: the revoked sources are stopped first.
                               onRevoke: { _ in await loop.reconcileNow() })
    }

    /// Topics, then the runtime's shared parts; retried until Kafka answers or shutdown. Returns
    /// whether it got there, and the topics whose compaction is still to be checked.
    fileprivate func prepare() async -> (ready: Bool, compaction: (admin: KafkaAdmin, topics: [String])?) {
        var wait = Duration.milliseconds(500)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                var compaction: (admin: KafkaAdmin, topics: [String])?
                let clock = ContinuousClock()
                var step = clock.now
                // Where start-up time goes, at debug level: each step waits on the brokers.
                func took(_ what: String) {
                    logger.debug("start-up: \(what) took \(clock.now - step)")
                    step = clock.now
                }
                if settings.ensureTopics {
                    let client = try KafkaAdmin(configuration: adminConfiguration, logger: logger)
                    let existing = try await TopicSetup.ensure(TopicSetup.specs(settings), admin: client, logger: logger)
                    compaction = (client, existing)
                    took("the topics")
                }
                try await runtime.open()
                took("opening the runtime (producers, committed cursors)")
                try await statusView.start()
                took("reading the status topic")
                started.withLock { $0 = true }
                logger.info("operator started", metadata: ["instance_id": "\(settings.instanceID)",
                                                           "config_source": "\(settings.configSourceName)"])
                return (true, compaction)
            } catch {
                logger.error("cannot start yet (retry in \(wait)): \(error)")
                try? await Task.sleep(for: wait)
                wait = min(wait * 2, .seconds(30))
            }
        }
        return (false, nil)
    }

    fileprivate var view: StatusPublisher.DesiredView {
        .init(desired: loop.desired, documentError: loop.documentError, ready: loop.isReady, kafkaProblem: brokerHealth.problem)
    }

    /// After the services stopped (the streams drained and flushed, cursors committed): the final
    /// statuses.
    private func shutDown() async {
        guard started.withLock({ $0 }) else {
            await statusProducer.close()
            return
        }
        await publisher.finish()
        await statusProducer.close()
        await statusView.stop()
        let delivered = runtime.metrics().producer.totalSent
        logger.info("operator stopped; \(delivered) records delivered")
    }

    /// `GET /status`: the metrics tree.
    public func metricsJSON() -> [UInt8] {
        Array((try? SortedJSON.encode(runtime.metrics())) ?? Data())
    }
}

/// A service that starts once the operator's start-up is done (and not at all when shutdown
/// comes first).
private struct AfterStartup: Service {
    let gate: OneShot<Bool>
    let service: any Service

    func run() async throws {
        guard await gate.value else {
            // Returning before its turn in the shutdown would cancel the group.
            try? await gracefulShutdown()
            return
        }
        try await service.run()
    }
}

/// The replicas' group membership, once start-up is done and the config topic's partition count
/// is known.
private struct FleetService: Service {
    let op: StreamOperator

    func run() async {
        guard await op.prepared.value, let fleet = await op.fleetMembership() else {
            try? await gracefulShutdown()  // see `AfterStartup`
            return
        }
        await fleet.run()
    }
}

/// The operator's own loops: start-up (retried until Kafka answers), the status ticks (which
/// also keep liveness), broker health, and a single replica's sweep of the status topic. On
/// graceful shutdown the publisher stops writing ordinary updates after one last tick (the last
/// counts, before sources are handed over), and the loops end.
private struct OperatorLoops: Service {
    let op: StreamOperator

    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { [op] in
                let (ready, compaction) = await op.prepare()
                op.prepared.resolve(ready)
                if let compaction {
                    _ = await TopicSetup.checkCompaction(compaction.topics, admin: compaction.admin, logger: op.logger)
                }
            }
            group.addTask { [op] in
                // Probing names the status topic, which a broker that auto-creates topics would
                // create (not compacted) before the start-up could create it compacted.
                guard await op.prepared.value else { return }
                await op.brokerHealth.run()
            }
            if op.ownership == nil {
                group.addTask { [op] in await op.sweepStatusOnce() }
            }
            group.addTask { [op] in
                while !Task.isCancelled {
                    if op.started.withLock({ $0 }) {
                        let reports = op.runtime.streamReports
                        op.publisher.tick(op.view, reports: reports)
                        op.supervisor.check(reports)
                    }
                    op.lastTick.withLock { $0 = .now }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            try? await gracefulShutdown()
            op.publisher.beginShutdown()
            if op.started.withLock({ $0 }) { op.publisher.tick(op.view) }
            op.prepared.resolve(false)  // start-up had not finished: nothing else starts
            group.cancelAll()
        }
    }
}
