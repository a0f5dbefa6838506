import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// `stream-manager run`: the operator. Until the reconciler lands (issue 6) it can only
/// host the embedded cluster with the operator's topics pre-created.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the operator.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Config file (YAML or JSON).")
    var config: String?

    @Option(help: "Number of brokers of the embedded cluster (with --bootstrap-servers embedded).")
    var embeddedBrokers: Int = 1

    func run() async throws {
        let logger = global.makeLogger(label: "stream-manager")
        guard global.resolvedBootstrapServers() == "embedded" else {
            throw ValidationError("the reconciler is not yet available; only '--bootstrap-servers embedded' runs for now")
        }
        let cluster = try EmbeddedKafkaCluster(brokers: embeddedBrokers, logger: logger)
        for (name, partitions) in [(global.configTopic ?? "stream-config", 12),
                                   (global.statusTopic ?? "stream-status", 1), ("stream-offsets", 1)] {
            try cluster.createTopic(name, partitions: partitions)
        }
        EmbeddedClusterBanner.print(cluster)
        logger.warning("the reconciler is not yet available: serving the embedded cluster only")
        let group = ServiceGroup(services: [EmbeddedClusterService(cluster: cluster)],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
