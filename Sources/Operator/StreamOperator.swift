import Dispatch
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

/// The operator as one `Service`: desired state → reconcile loop → `StreamManagerV2`, with the
/// status publisher reporting each step. Graceful shutdown stops reconciling, drains and flushes
/// the streams (cursors committed), publishes final statuses and tombstones the heartbeat.
public final class StreamOperator: Service, Sendable {
    public let settings: OperatorSettings
    public let manager: StreamManagerV2
    public let loop: ReconcileLoop
    public let publisher: StatusPublisher
    /// Kafka mode with shared sources: which sources this replica owns.
    public let ownership: Ownership?
    private let staleGuard: StaleStatusGuard?
    /// A fleet follows the status topic: the guard reads it, and the publisher sweeps stale
    /// records with it. A single replica reads it once after its initial sync (`sweepOnce`).
    private let statusView: StatusTopicView?
    private let brokerHealth: BrokerHealth
    private let statusProducer: KafkaProducer
    /// `kafka.properties`, `${ENV}` resolved: every client of the operator uses them.
    private let properties: [String: String]
    private let logger: Logger
    /// When the tick loop last ran (liveness: the process and its loops are alive).
    private let lastTick = Mutex<ContinuousClock.Instant?>(nil)
    private let started = Mutex(false)

    public init(settings: OperatorSettings, logger: Logger) throws {
        MetricsExport.install()  // before any metric object exists
        self.settings = settings
        self.logger = logger
        let properties = try settings.config.kafka.resolvedProperties()
        self.properties = properties
        var managerConfig = settings.config
        managerConfig.sources = [:]  // the desired-state source decides what runs
        manager = StreamManagerV2(config: managerConfig, bootstrapServers: settings.bootstrapServers, logger: logger)

        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: settings.bootstrapServers)
        producerConfiguration.clientID = "stream-manager-status"
        producerConfiguration.lingerMilliseconds = 1  // status changes are few; show them promptly
        producerConfiguration.properties = properties
        let statusProducer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        self.statusProducer = statusProducer
        let statusTopic = settings.statusTopic
        brokerHealth = BrokerHealth { try await statusProducer.probe(topic: statusTopic, timeout: .seconds(2)) }
        if case .kafka = settings.desiredSource, settings.shareSources {
            let view = StatusTopicView(topic: settings.statusTopic,
                                       configuration: Self.reader("stream-manager-status-reader", settings, properties),
                                       logger: logger)
            statusView = view
            ownership = Ownership()
            staleGuard = StaleStatusGuard(view: view, instanceID: settings.instanceID)
        } else {
            statusView = nil
            ownership = nil
            staleGuard = nil
        }
        publisher = StatusPublisher(
            identity: .init(instanceID: settings.instanceID, configSource: settings.configSourceName),
            writer: KafkaStatusWriter(topic: settings.statusTopic, producer: statusProducer, logger: logger),
            manager: manager, interval: settings.statusInterval, ownership: ownership, staleGuard: staleGuard,
            statusView: statusView, logger: logger)

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
        loop = ReconcileLoop(manager: manager, source: source, logger: logger, ownership: ownership,
                             validation: .operator(access)) { publisher.handle($0) }
    }

    /// A follower of one of the operator's compacted topics (config, status).
    private static func reader(_ clientID: String, _ settings: OperatorSettings,
                               _ properties: [String: String]) -> KafkaConsumerConfiguration {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: settings.bootstrapServers)
        consumer.clientID = clientID
        consumer.properties = properties
        // How long an idle fetch waits on the broker. Brokers answer as soon as a record
        // arrives anyway; the embedded cluster only answers at this deadline.
        consumer.properties["fetch.wait.max.ms"] = properties["fetch.wait.max.ms"]
            ?? "\(settings.configFetchWait / .milliseconds(1))"
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
        await runUntilShutdown()
        await shutDown()
    }

    private func runUntilShutdown() async {
        let membership = TaskBox()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                guard await prepare() else { return }
                if let fleet = await fleetMembership() {
                    membership.set(Task { await fleet.run() })
                }
                await loop.run()
            }
            group.addTask { [self] in await brokerHealth.run() }
            if statusView == nil {
                group.addTask { [self] in await sweepStatusOnce() }
            }
            group.addTask { [self] in
                while !Task.isCancelled {
                    if started.withLock({ $0 }) { publisher.tick(view) }
                    lastTick.withLock { $0 = .now }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            try? await gracefulShutdown()
            publisher.beginShutdown()
            if started.withLock({ $0 }) { publisher.tick(view) }  // the last counts, before sources are handed over
            // Leave the group first: its revocation hands every owned source over (drained,
            // cursors committed) while the reconcile loop can still act; the others take them.
            if let task = membership.task {
                task.cancel()
                await task.value
            }
            group.cancelAll()
        }
    }

    /// A single replica's sweep of the status topic: once the initial sync is applied and a few
    /// seconds have passed (records written around the sync have landed), records of sources that
    /// are no longer desired — removed while no manager ran — are tombstoned. Read once: following
    /// the topic would keep every source's record in memory for nothing else.
    private func sweepStatusOnce() async {
        while !Task.isCancelled && !(loop.isReady && started.withLock({ $0 })) { try? await Task.sleep(for: .milliseconds(200)) }
        try? await Task.sleep(for: .seconds(3))
        guard !Task.isCancelled else { return }
        let view = StatusTopicView(topic: settings.statusTopic,
                                   configuration: Self.reader("stream-manager-status-sweep", settings, properties), logger: logger)
        do {
            try await view.start()
            publisher.sweepOnce(self.view, in: view)
        } catch {
            logger.warning("could not read the status topic to remove stale records: \(error)")
        }
        await view.stop()
    }

    /// The replicas' group on the config topic, once its partition count is known.
    private func fleetMembership() async -> FleetMembership? {
        guard let ownership else { return nil }
        while !Task.isCancelled {
            if let count = try? await KafkaAdmin(configuration: adminConfiguration, logger: logger).partitions(of: settings.configTopic)?.count,
               count > 0 {
                ownership.setPartitionCount(count)
                break
            }
            try? await Task.sleep(for: .seconds(1))
        }
        let manager = settings.config.manager
        var consumer = KafkaConsumerConfiguration(bootstrapServers: settings.bootstrapServers, groupID: manager.groupID)
        consumer.clientID = "stream-manager-fleet-\(settings.instanceID)"
        consumer.sessionTimeoutMilliseconds = manager.sessionTimeoutMs
        consumer.heartbeatIntervalMilliseconds = max(100, manager.sessionTimeoutMs / 12)
        consumer.properties = properties
        let loop = self.loop
        return FleetMembership(topic: settings.configTopic, configuration: consumer, ownership: ownership, logger: logger,
                               onAssign: { _ in Task { await loop.reconcileNow() } },
                               onRevoke: { _ in
                                   // Runs inside the rebalance on the consumer's own thread: block it until
                                   // the revoked sources are stopped, so they are never run twice.
                                   let done = DispatchSemaphore(value: 0)
                                   Task {
                                       await loop.reconcileNow()
                                       done.signal()
                                   }
                                   done.wait()
                               })
    }

    /// Topics, then the manager's shared parts; retried until Kafka answers or shutdown.
    private func prepare() async -> Bool {
        var wait = Duration.milliseconds(500)
        while !Task.isCancelled {
            do {
                if settings.ensureTopics {
                    let client = try KafkaAdmin(configuration: adminConfiguration, logger: logger)
                    let existing = try await TopicSetup.ensure(TopicSetup.specs(settings), admin: client)
                    Task { [logger] in _ = await TopicSetup.checkCompaction(existing, admin: client, logger: logger) }
                }
                try await manager.start()
                try await statusView?.start()
                started.withLock { $0 = true }
                logger.info("operator started", metadata: ["instance_id": "\(settings.instanceID)",
                                                           "config_source": "\(settings.configSourceName)"])
                return true
            } catch {
                logger.error("cannot start yet (retry in \(wait)): \(error)")
                try? await Task.sleep(for: wait)
                wait = min(wait * 2, .seconds(30))
            }
        }
        return false
    }

    private var view: StatusPublisher.DesiredView {
        .init(desired: loop.desired, documentError: loop.documentError, ready: loop.isReady, kafkaProblem: brokerHealth.problem)
    }

    /// Drain and flush the streams (cursors committed), then the final statuses.
    private func shutDown() async {
        guard started.withLock({ $0 }) else {
            await statusProducer.close()
            return
        }
        await manager.stop()  // the last counts were taken when shutdown began
        await publisher.finish()
        await statusProducer.close()
        await statusView?.stop()
        let delivered = manager.metrics().producer.total_sent
        logger.info("operator stopped; \(delivered) records delivered")
    }

    /// `GET /status`: the metrics tree.
    public func metricsJSON() -> [UInt8] {
        Array((try? SortedJSON.encode(manager.metrics())) ?? Data())
    }
}

/// Holds the membership task for whoever ends it (a Mutex cannot be captured by a closure).
private final class TaskBox: Sendable {
    private let value = Mutex<Task<Void, Never>?>(nil)
    func set(_ task: Task<Void, Never>) { value.withLock { $0 = task } }
    var task: Task<Void, Never>? { value.withLock { $0 } }
}
