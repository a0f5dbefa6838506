import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import StreamConfig

/// `stream-manager kafka-dev`: only the embedded cluster, until killed.
struct KafkaDev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-dev",
        abstract: "Run only an embedded Kafka cluster (librdkafka's mock cluster) until killed.",
        discussion: """
            SIGUSR1 takes every broker down (connections are cut and refused, as in an outage); \
            SIGUSR2 brings them back with their data. SIGTERM/SIGINT stop the cluster.
            """)

    @Option(help: "Number of brokers.")
    var brokers: Int = 1

    @Option(help: "Log level.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log format: text or json.")
    var logFormat: LogFormat = .text

    func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
    }

    func run() async throws {
        LogSetup.bootstrap(level: logLevel, format: logFormat)
        let logger = Logger(label: "kafka-dev")
        let cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: logger)
        // The operator's default topics, as `run --bootstrap-servers embedded` makes them: the mock
        // cluster does not answer CreateTopics, so a manager would otherwise wait for its timeout.
        let defaults = ManagerConfig()
        try cluster.createTopic(defaults.configTopic, partitions: defaults.configTopicPartitions)
        try cluster.createTopic(defaults.statusTopic, partitions: 1)
        try cluster.createTopic(defaults.offsetsTopic, partitions: 1)
        let outages = OutageSignals(cluster: cluster, brokers: brokers, logger: logger)
        EmbeddedClusterBanner.print(cluster)
        defer { withExtendedLifetime(outages) {} }
        let group = ServiceGroup(services: [EmbeddedClusterService(cluster: cluster)],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// The contract line other tools wait for: printed once, first on stdout, flushed.
enum EmbeddedClusterBanner {
    static func print(_ cluster: EmbeddedKafkaCluster) {
        Swift.print("embedded Kafka cluster: bootstrap.servers=\(cluster.bootstrapServers)")
        fflush(nil)
    }
}

/// Keeps the embedded cluster alive for the life of the service group.
struct EmbeddedClusterService: Service {
    let cluster: EmbeddedKafkaCluster
    func run() async throws {
        try? await gracefulShutdown()
        withExtendedLifetime(cluster) {}
    }
}

/// SIGUSR1/SIGUSR2 take the brokers down and up: how tests (and users trying the operator's
/// health reporting) simulate a Kafka outage against a cluster in another process.
final class OutageSignals {
    private let sources: [any DispatchSourceSignal]

    init(cluster: EmbeddedKafkaCluster, brokers: Int, logger: Logger) {
        let ids = (1...brokers).map(Int32.init)
        sources = [(SIGUSR1, false), (SIGUSR2, true)].map { signalNumber, up in
            signal(signalNumber, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                for id in ids { up ? cluster.setBrokerUp(id) : cluster.setBrokerDown(id) }
                logger.notice(up ? "brokers up (SIGUSR2)" : "brokers down (SIGUSR1)")
            }
            source.resume()
            return source
        }
    }

    deinit { for source in sources { source.cancel() } }
}
