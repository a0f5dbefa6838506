import ArgumentParser
import Foundation
import Logging
import Reconciler
import StreamConfig

/// The options every `offsets` subcommand takes, and the `OffsetsAdmin` they give.
struct OffsetsOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions

    @OptionGroup var sections: ConfigSections

    @Option(help: "The offsets topic (default: the config file's manager.offsets_topic, else stream-offsets).")
    var offsetsTopic: String?

    func admin(label: String) throws -> OffsetsAdmin {
        let logger = global.makeLogger(label: label)
        let kafka = try sections.kafka(global)
        let topics = OffsetsAdmin.Topics(offsets: offsetsTopic ?? kafka.offsetsTopic, status: kafka.statusTopic,
                                         config: kafka.configTopic)
        return OffsetsAdmin(topics: topics, bootstrapServers: kafka.bootstrapServers, properties: kafka.properties, logger: logger)
    }

    /// Runs an edit or a read; a refusal is printed as `offsets <command>: <why>` with exit 1.
    static func refusing(_ command: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as OffsetsAdminError {
            FileHandle.standardError.write(Data("offsets \(command): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
