import ArgumentParser
import Foundation
import Kafka
import Logging
import Operator
import Pipeline
import Reconciler
import StreamConfig
import Synchronization

/// `stream-manager apply -f FILE`: publish the file's changed sources to the config topic.
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
        let changes = planConfigChanges(file: config.sources, live: live, prune: prune)
        for change in changes { print(change.line) }
        guard !dryRun else { return }
        guard !changes.isEmpty else {
            print("nothing to apply: \(kafka.configTopic) already matches \(file)")
            return
        }
        let writer = try ConfigTopicWriter(topic: kafka.configTopic, bootstrapServers: kafka.bootstrapServers,
                                           properties: kafka.properties, logger: logger)
        let versions = try await writer.publish(changes, provenance: .fromEnvironment(appliedBy: appliedBy, gitCommit: gitCommit))
        await writer.close()
        print("applied \(changes.count) change(s) to \(kafka.configTopic)")
        fflush(nil)
        logger.debug("published", metadata: ["versions": "\(versions)"])
        if wait { try await waitForStatus(changes, kafka: kafka, logger: logger) }
    }

    private func waitForStatus(_ changes: [ConfigChange], kafka: KafkaClientSettings, logger: Logger) async throws {
        let expectations = changes.map(ApplyExpectation.init(change:))
        let reported = Reported()
        let result = try await StatusWatch.follow(topic: kafka.statusTopic, configuration: kafka.consumer("stream-manager-apply"),
                                                  logger: logger, timeout: Saturating.duration(seconds: timeout)) { board -> String? in
            var pending = false
            for e in expectations {
                switch e.verdict(board.sources[e.sourceID]) {
                case .failed(let message): return message
                case .pending: pending = true
                case .done: reported.once(e.sourceID) { print("ready: \(e.sourceID)"); fflush(nil) }
                }
            }
            return pending ? nil : ""
        }
        switch result {
        case ""?: print("all \(expectations.count) applied source(s) are in place")
        case let message?:
            FileHandle.standardError.write(Data("apply --wait: \(message)\n".utf8))
            throw ExitCode(1)
        case nil:
            let waiting = expectations.map(\.sourceID).filter { !reported.has($0) }
            FileHandle.standardError.write(Data("apply --wait: timed out after \(timeout)s waiting for: \(waiting.joined(separator: ", "))\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Which sources `--wait` has announced as ready (printed once each).
private final class Reported: Sendable {
    private let ids = Mutex<Set<String>>([])
    func once(_ id: String, _ body: () -> Void) {
        let first = ids.withLock { $0.insert(id).inserted }
        if first { body() }
    }
    func has(_ id: String) -> Bool { ids.withLock { $0.contains(id) } }
}

/// The live config topic (empty when the topic does not exist yet); duplicate keys are warned about.
enum LiveTopic {
    static func read(_ kafka: KafkaClientSettings, logger: Logger) async throws -> [String: LiveConfig] {
        let admin = try KafkaAdmin(configuration: kafka.admin(), logger: logger)
        guard try await admin.partitions(of: kafka.configTopic) != nil else { return [:] }
        let (live, warnings) = try await LiveConfigReader.read(topic: kafka.configTopic,
                                                               configuration: kafka.consumer("stream-manager-cli"), logger: logger)
        for w in warnings { logger.warning("\(w)") }
        return live
    }
}
