import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import StreamConfig
import StreamManagerKit

/// `stream-manager run`: the operator. Until the reconciler lands (issue 6) it hosts the
/// embedded cluster and runs the `--config` file's enabled sources directly.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the operator.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Config file (YAML or JSON).")
    var config: String?

    @Option(help: "Number of brokers of the embedded cluster (with --bootstrap-servers embedded).")
    var embeddedBrokers: Int = 1

    @Option(help: "Seconds to wait for streams to drain on SIGTERM/SIGINT.")
    var shutdownTimeout: Double = 30

    func run() async throws {
        let logger = global.makeLogger(label: "stream-manager")
        var fileConfig: StreamManagerConfig?
        if let config {
            let loaded = ConfigLoader.load(contentsOf: config, options: .lenient)
            for d in loaded.diagnostics { FileHandle.standardError.write(Data((d.formatted(file: config) + "\n").utf8)) }
            guard let value = loaded.value else { throw ExitCode(1) }
            fileConfig = value
        }
        guard global.resolvedBootstrapServers(configFileValue: fileConfig?.kafka.bootstrapServers) == "embedded" else {
            throw ValidationError("the reconciler is not yet available; only '--bootstrap-servers embedded' runs for now")
        }
        let cluster = try EmbeddedKafkaCluster(brokers: embeddedBrokers, logger: logger)
        let manager = fileConfig?.manager ?? ManagerConfig()
        for (name, partitions) in [(global.configTopic ?? manager.configTopic, manager.configTopicPartitions),
                                   (global.statusTopic ?? manager.statusTopic, 1), (manager.offsetsTopic, 1)] {
            try cluster.createTopic(name, partitions: partitions)
        }
        EmbeddedClusterBanner.print(cluster)
        var services: [any Service] = [EmbeddedClusterService(cluster: cluster)]
        if let fileConfig {
            logger.warning("the reconciler is not yet available: running the config file's enabled sources directly")
            services.append(DirectSourcesService(config: fileConfig, bootstrapServers: cluster.bootstrapList,
                                                 shutdownTimeout: .milliseconds(Int64(shutdownTimeout * 1000)), logger: logger))
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Runs every enabled source of a config through `StreamManagerV2` until graceful shutdown,
/// then drains the streams and flushes.
struct DirectSourcesService: Service {
    let config: StreamManagerConfig
    let bootstrapServers: [String]
    let shutdownTimeout: Duration
    let logger: Logger

    func run() async throws {
        let manager = StreamManagerV2(config: config, bootstrapServers: bootstrapServers, logger: logger)
        try await manager.start()
        for (id, source) in config.sources.sorted(by: { $0.key < $1.key }) where source.enabled {
            do {
                let streamID = try await manager.startStream(sourceID: id)
                logger.info("started \(streamID)")
            } catch {
                logger.error("source \(id) failed to start: \(error)")
            }
        }
        try? await gracefulShutdown()
        await manager.stop()
        let sent = manager.metrics().producer.total_sent
        logger.info("stopped; \(sent) records delivered")
    }
}
