import ArgumentParser
import Foundation
import Kafka
import Logging
import Operator
import Pipeline
import Reconciler
import StreamConfig
import Synchronization

/// `stream-manager apply -f FILE`: publish the file's changed budgets and sources to the config topic.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish a config file's sources to the config topic (only those that changed).",
        discussion: """
            The whole file is validated first: nothing is published if any source has an error \
            (unset ${ENV} references are only warnings). Sources are compared with the live topic \
            by canonical hash, so re-applying the same file, or the same sources as JSON, publishes \
            nothing. Exit codes: 0 applied (and, with --wait, all running), 1 error, rejection, \
            FAILED source or timeout.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .shortAndLong, help: "Config file (YAML or JSON).")
    var file: String

    @Flag(help: "Also remove (tombstone) sources in the topic that the file does not have.")
    var prune = false

    @Flag(help: "Print the plan without publishing.")
    var dryRun = false

    @Flag(help: "Wait until the status topic shows each applied source RUNNING with the applied hash.")
    var wait = false

    @Option(help: "Seconds --wait waits.")
    var timeout: Double = 120

    @Option(help: "The applied-by header (default $USER@$HOSTNAME).")
    var appliedBy: String?

    @Option(help: "The git-commit header (default $GIT_COMMIT; omitted when unknown).")
    var gitCommit: String?

    func run() async throws {
        try await withKafkaClientsClosed { try await execute() }
    }

    private func execute() async throws {
        let logger = global.makeLogger(label: "stream-manager.apply")
        let config = try ConfigFile.loadStrict(file)
        let kafka = try KafkaClientSettings(global: global, file: config)
        if !dryRun {
            let admin = try KafkaAdmin(configuration: kafka.admin(), logger: logger)
            let existing = try await TopicSetup.ensure([.compacted(kafka.configTopic, partitions: kafka.configTopicPartitions)],
                                                       admin: admin, logger: logger)
            // Brokers answer DescribeConfigs at once; the mock cluster never does, hence the short wait.
            _ = await TopicSetup.checkCompaction(existing, admin: admin, logger: logger, timeout: .seconds(1))
        }
        let live = try await LiveTopic.read(kafka, logger: logger)
        let budgetChanges = planBudgetChanges(file: config.budgets, live: live.budgets, prune: prune)
        let changes = planConfigChanges(file: config.sources, live: live.sources, prune: prune)
        for change in budgetChanges { print(change.line) }
        try await LiveTopic.printPlan(changes, live: live.sources, kafka: kafka, logger: logger)
        guard !dryRun else { return }
        guard !changes.isEmpty || !budgetChanges.isEmpty else {
            print("nothing to apply: \(kafka.configTopic) already matches \(file)")
            return
        }
        let writer = try ConfigTopicWriter(topic: kafka.configTopic, bootstrapServers: kafka.bootstrapServers,
                                           properties: kafka.properties, logger: logger)
        let provenance = ConfigTopicWriter.Provenance.fromEnvironment(appliedBy: appliedBy, gitCommit: gitCommit)
        // Budgets first, delivered, so no source arrives before the budget it names.
        try await writer.publish(budgetChanges, provenance: provenance)
        let versions = try await writer.publish(changes, provenance: provenance)
        await writer.close()
        print("applied \(changes.count + budgetChanges.count) change(s) to \(kafka.configTopic)")
        fflush(nil)
        logger.debug("published", metadata: ["versions": "\(versions)"])
        if wait { try await StatusWait.applied(changes, kafka: kafka, logger: logger, timeout: timeout, command: "apply --wait") }
    }
}

/// The live config topic (empty when the topic does not exist yet); duplicate keys are warned about.
enum LiveTopic {
    /// One line per change, each followed by how the running fleet takes it (`[hot; runs on m1]`).
    static func printPlan(_ changes: [ConfigChange], live: [String: LiveConfig], kafka: KafkaClientSettings,
                          logger: Logger) async throws {
        let board = changes.isEmpty ? StatusBoard() : try await statusBoard(kafka, logger: logger)
        for change in changes {
            let impact = ChangeImpact(change: change, live: live[change.sourceID], status: board.sources[change.sourceID])
            print("\(change.line)  \(impact)")
        }
    }

    /// The status topic as it is now (empty when it does not exist yet).
    static func statusBoard(_ kafka: KafkaClientSettings, logger: Logger) async throws -> StatusBoard {
        let admin = try KafkaAdmin(configuration: kafka.admin(), logger: logger)
        guard try await admin.partitions(of: kafka.statusTopic) != nil else { return StatusBoard() }
        return try await StatusWatch.snapshot(topic: kafka.statusTopic, configuration: kafka.consumer("stream-manager-cli"),
                                              logger: logger)
    }

    static func read(_ kafka: KafkaClientSettings, logger: Logger) async throws
        -> (sources: [String: LiveConfig], budgets: [String: BudgetConfig?]) {
        let admin = try KafkaAdmin(configuration: kafka.admin(), logger: logger)
        guard try await admin.partitions(of: kafka.configTopic) != nil else { return ([:], [:]) }
        let (live, budgets, warnings) = try await LiveConfigReader.read(topic: kafka.configTopic,
                                                                        configuration: kafka.consumer("stream-manager-cli"),
                                                                        logger: logger)
        for w in warnings { logger.warning("\(w)") }
        return (live, budgets)
    }
}
