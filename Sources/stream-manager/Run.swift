import ArgumentParser
import Foundation
import Kafka
import Logging
import Operator
import Pipeline
import Reconciler
import ServiceLifecycle
import StreamConfig
import StreamManagerKit

/// `stream-manager run`: the operator (README, "CLI").
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the operator: reconcile the desired sources, publish status, serve /healthz /readyz /metrics /status.",
        discussion: """
            --source kafka (default) follows the config topic; --source file follows the sources of \
            --config (re-read when the file changes). The --config file also gives the manager-wide \
            settings (kafka, queue, throttling, topic_routing, manager). With --bootstrap-servers \
            embedded, an in-process Kafka cluster is started, its bootstrap line printed first, and \
            (in kafka mode) the --config sources are published to the config topic.
            """)

    enum SourceKind: String, ExpressibleByArgument { case kafka, file, configmap }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Config file (YAML or JSON).")
    var config: String?

    @Option(help: "Where desired sources come from: kafka (the config topic), file (--config) or configmap (--configmap).")
    var source: SourceKind = .kafka

    @OptionGroup(title: "ConfigMap mode (--source configmap)") var kube: KubeOptions

    @Option(help: "This replica's name in the status topic (default: manager.instance_id, then $HOSTNAME).")
    var instanceId: String?

    @Option(help: "Port of the HTTP endpoints (default: manager.http_port, 8080); 0 picks a free port.")
    var httpPort: Int?

    @Option(help: "Address the HTTP endpoints listen on.")
    var httpHost: String = "0.0.0.0"

    @Option(help: "Number of brokers of the embedded cluster (with --bootstrap-servers embedded).")
    var embeddedBrokers: Int = 1

    @Option(help: "Seconds to drain, flush and publish final status on SIGTERM/SIGINT before giving up.")
    var shutdownTimeout: Double = 30

    func validate() throws {
        if source == .file && config == nil { throw ValidationError("--source file needs --config FILE") }
        guard embeddedBrokers >= 1 else { throw ValidationError("--embedded-brokers must be at least 1") }
        guard shutdownTimeout > 0 else { throw ValidationError("--shutdown-timeout must be positive") }
    }

    func run() async throws {
        try await withKafkaClientsClosed { try await execute() }
    }

    private func execute() async throws {
        let logger = global.makeLogger(label: "stream-manager")
        var fileConfig = try loadConfig()
        if let t = global.configTopic { fileConfig.manager.configTopic = t }
        if let t = global.statusTopic { fileConfig.manager.statusTopic = t }
        let credentials = try Self.httpCredentials(fileConfig.manager)
        let bootstrap = global.resolvedBootstrapServers(configFileValue: config == nil ? nil : fileConfig.kafka.bootstrapServers)
        var services: [any Service] = []
        let bootstrapServers: [String]
        if bootstrap == "embedded" {
            let cluster = try EmbeddedKafkaCluster(brokers: embeddedBrokers, logger: logger)
            let manager = fileConfig.manager
            try cluster.createTopic(manager.configTopic, partitions: max(1, manager.configTopicPartitions))
            try cluster.createTopic(manager.statusTopic, partitions: 1)
            try cluster.createTopic(manager.offsetsTopic, partitions: 1)
            EmbeddedClusterBanner.print(cluster)
            services.append(EmbeddedClusterService(cluster: cluster))
            bootstrapServers = cluster.bootstrapList
            if source == .kafka, !fileConfig.sources.isEmpty {  // file and configmap modes have their own
                try await publishSources(fileConfig, bootstrapServers: bootstrapServers, logger: logger)
            }
        } else {
            bootstrapServers = .bootstrapList(bootstrap)
        }
        let desired: OperatorSettings.DesiredSourceKind
        switch source {
        case .kafka: desired = .kafka
        case .file: desired = .file(path: config!)
        case .configmap: desired = .configMap(try kube.settings())
        }
        var settings = OperatorSettings(
            config: fileConfig, bootstrapServers: bootstrapServers, desiredSource: desired,
            instanceID: instanceId ?? fileConfig.manager.resolvedInstanceID(environment: Self.environmentWithHostname()),
            ensureTopics: bootstrap != "embedded")
        if bootstrap == "embedded" { settings.configFetchWait = .milliseconds(10) }
        let streamOperator = try StreamOperator(settings: settings, logger: logger)
        services.append(HTTPEndpoints.application(probe: streamOperator, dashboard: streamOperator,
                                                  auth: credentials, host: httpHost,
                                                  port: httpPort ?? fileConfig.manager.httpPort, logger: logger))
        // Shut down in reverse order: the operator drains first, while HTTP still answers and
        // the embedded cluster (first) still runs.
        services.append(streamOperator)
        var groupConfiguration = ServiceGroupConfiguration(services: services.map { .init(service: $0) },
                                                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = Saturating.duration(seconds: shutdownTimeout)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    /// `manager.http_auth` with its password resolved. A reference that does not resolve stops the
    /// start: serving the dashboard without the auth it was configured with would be worse.
    static func httpCredentials(_ manager: ManagerConfig) throws -> HTTPEndpoints.Credentials? {
        guard let auth = manager.httpAuth else { return nil }
        do {
            return HTTPEndpoints.Credentials(username: auth.username, password: try auth.resolvedPassword())
        } catch {
            FileHandle.standardError.write(Data("stream-manager run: manager.http_auth.password: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// `$HOSTNAME` is a shell variable that is often not exported; the system's name stands in.
    static func environmentWithHostname() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        if (env["HOSTNAME"] ?? "").isEmpty { env["HOSTNAME"] = ProcessInfo.processInfo.hostName }
        return env
    }

    /// The manager-wide settings. In file mode a broken file does not stop the start: the file
    /// source reports it (status topic) and picks the fix up.
    private func loadConfig() throws -> StreamManagerConfig {
        guard let config else { return StreamManagerConfig() }
        let loaded = ConfigLoader.load(contentsOf: config, options: .lenient)
        for d in loaded.diagnostics { FileHandle.standardError.write(Data((d.formatted(file: config) + "\n").utf8)) }
        if let value = loaded.value { return value }
        if source == .file { return StreamManagerConfig() }
        throw ExitCode(1)
    }

    /// Embedded mode: the demo's sources go through the config topic like anyone's would.
    private func publishSources(_ config: StreamManagerConfig, bootstrapServers: [String], logger: Logger) async throws {
        let writer = try ConfigTopicWriter(topic: config.manager.configTopic, bootstrapServers: bootstrapServers,
                                           properties: [:], logger: logger)
        let changes = planConfigChanges(file: config.sources, live: [:], prune: false)
        let provenance = ConfigTopicWriter.Provenance.fromEnvironment(appliedBy: "stream-manager run (embedded)")
        try await writer.publish(planBudgetChanges(file: config.budgets, live: [:], prune: false), provenance: provenance)
        try await writer.publish(changes, provenance: provenance)
        await writer.close()
        logger.info("published \(changes.count) source(s) of \(self.config ?? "") to \(config.manager.configTopic)")
    }
}
