import ArgumentParser
import Foundation
import Pipeline
import Reconciler
import StreamConfig
import TextEscaping

/// `stream-manager history ID`: the versions of a source the config topic still holds.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the versions of a source the config topic still holds, oldest first.",
        discussion: """
            Per version: its config_version (kafka:<partition>:<offset>), the record's timestamp, \
            the applied-by and git-commit headers, the config hash, and the change from the version \
            before it in diff's line format ('+ id' first version, '~ id (path: old → new)', \
            '- id' removal, '= id' the same config again, '! id' a value the operator refuses). \
            Compaction removes older versions once their segment is cleaned (README, 'history').
            """)

    enum Format: String, ExpressibleByArgument { case text, json }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The source id.")
    var sourceID: String

    @Option(name: .shortAndLong, help: "Output: text or json.")
    var output: Format = .text

    @OptionGroup var sections: ConfigSections

    func run() async throws {
        try await withKafkaClientsClosed { try await execute() }
    }

    private func execute() async throws {
        let logger = global.makeLogger(label: "stream-manager.history")
        let kafka = try sections.kafka(global)
        let versions = try await ConfigHistory.read(sourceID: sourceID, topic: kafka.configTopic,
                                                    configuration: kafka.consumer("stream-manager-cli"), logger: logger)
        guard !versions.isEmpty else {
            FileHandle.standardError.write(Data("history: \(kafka.configTopic) holds no version of '\(sourceID)'\n".utf8))
            throw ExitCode(1)
        }
        print(output == .json ? ConfigVersion.json(versions) : Self.text(versions))
    }

    static func text(_ versions: [ConfigVersion]) -> String {
        var lines: [String] = []
        var previous: ConfigVersion?
        for v in versions {
            var head = [v.configVersion, v.timestamp ?? "-", "applied-by \(v.appliedBy ?? "-")"]
            if let commit = v.gitCommit { head.append("git-commit \(commit)") }
            head.append("hash \(v.configHash.map(ConfigHash.short) ?? "-")")
            // Headers are whatever the writer put there: no control character reaches the terminal.
            lines.append(ControlCharacters.escaped(head.joined(separator: "  ")))
            lines.append("  " + ControlCharacters.escaped(v.change(from: previous)))
            previous = v.value == nil ? nil : v
        }
        return lines.joined(separator: "\n")
    }
}
