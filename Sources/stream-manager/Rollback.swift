import ArgumentParser
import Foundation
import Logging
import Reconciler
import StreamConfig

/// `stream-manager rollback ID --to OFFSET`: publish an earlier version of a source again.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish an earlier version of a source (from 'history') to the config topic again.",
        discussion: """
            The version must still be in the config topic ('history ID' lists them). It is \
            validated as 'apply' validates a file, then published as canonical JSON with \
            applied-by '<who> (rollback to <config_version>)' and the version's own git-commit \
            header. Exit codes: 0 published (and, with --wait, running), 1 error, refusal, FAILED \
            or timeout.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The source id.")
    var sourceID: String

    @Option(help: "The version: its offset (as 'history' lists it) or kafka:<partition>:<offset>.")
    var to: String

    @Flag(help: "Wait until the status topic shows the source RUNNING with the restored hash.")
    var wait = false

    @Option(help: "Seconds --wait waits.")
    var timeout: Double = 120

    @Option(help: "Who rolls back, for the applied-by header (default $USER@$HOSTNAME).")
    var appliedBy: String?

    @OptionGroup var sections: ConfigSections

    func run() async throws {
        try await withKafkaClientsClosed { try await execute() }
    }

    private func execute() async throws {
        let logger = global.makeLogger(label: "stream-manager.rollback")
        let kafka = try sections.kafka(global)
        let versions = try await ConfigHistory.read(sourceID: sourceID, topic: kafka.configTopic,
                                                    configuration: kafka.consumer("stream-manager-cli"), logger: logger)
        guard let target = ConfigHistory.find(to, in: versions) else {
            let kept = versions.map(\.configVersion).joined(separator: ", ")
            try StatusWait.fail("rollback: \(kafka.configTopic) no longer holds version \(to) of '\(sourceID)' "
                + "(kept: \(kept.isEmpty ? "none" : kept)); compaction removed it, or it never existed")
        }
        guard let value = target.value else {
            try StatusWait.fail("rollback: \(target.configVersion) removed '\(sourceID)'; to remove it again, tombstone it or 'apply --prune'")
        }
        let restored = try Self.validated(value, sourceID: sourceID, version: target.configVersion)
        let current = versions.last
        if current?.value != nil, current?.config?.configHash == restored.configHash {
            print("nothing to roll back: '\(sourceID)' already is \(target.configVersion)'s config (\(current!.configVersion))")
            return
        }
        let kind: ConfigChange.Kind = current?.config.map { .change(restored.changes(from: $0)) } ?? .add
        let change = ConfigChange(sourceID: sourceID, kind: kind, config: restored)
        print(change.line)
        let who = ConfigTopicWriter.Provenance.fromEnvironment(appliedBy: appliedBy).appliedBy
        let provenance = ConfigTopicWriter.Provenance(appliedBy: "\(who) (rollback to \(target.configVersion))",
                                                      gitCommit: target.gitCommit)
        let writer = try ConfigTopicWriter(topic: kafka.configTopic, bootstrapServers: kafka.bootstrapServers,
                                           properties: kafka.properties, logger: logger)
        let published = try await writer.publish([change], provenance: provenance)
        await writer.close()
        print("rolled back '\(sourceID)' to \(target.configVersion) as \(published[sourceID] ?? "a new version")")
        fflush(nil)
        if wait {
            try await StatusWait.applied([change], kafka: kafka, logger: logger, timeout: timeout, command: "rollback --wait")
        }
    }

    /// The version as `apply` would check it in a file: an old version may no longer pass (a
    /// key since removed, a setting now out of bounds), and then nothing is published.
    static func validated(_ value: [UInt8], sourceID: String, version: String) throws -> SourceConfig {
        let options = ValidationOptions(unknownKeys: .error, environment: ProcessInfo.processInfo.environment,
                                        access: .advise(SourceAccessPolicy()))
        let result = ConfigLoader.parseSourceDocument(data: Data(value), sourceID: sourceID, options: options)
        let errors = result.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty, let config = result.value else {
            let text = errors.map { "line \($0.line), column \($0.column): \($0.path): \($0.message)" }.joined(separator: "; ")
            try StatusWait.fail("rollback: \(version) of '\(sourceID)' does not validate: \(text)")
        }
        return config
    }
}
