import ArgumentParser
import Foundation
import Kafka
import StreamConfig
import StreamManagerKit

/// The file `apply` and `diff` publish or compare, checked as strictly as `validate` does
/// (unknown keys are errors; unset `${ENV}` and what the default `manager.source_access` would
/// refuse only warnings: CI has neither the operator's secrets nor its allow-lists).
enum ConfigFile {
    /// Loads and validates; prints every problem to stderr; exit 1 when any is an error.
    static func loadStrict(_ path: String) throws -> StreamManagerConfig {
        let options = ValidationOptions(unknownKeys: .error, environment: ProcessInfo.processInfo.environment,
                                        access: .advise(SourceAccessPolicy()))
        let result = ConfigLoader.load(contentsOf: path, options: options)
        for d in result.diagnostics { FileHandle.standardError.write(Data((d.formatted(file: path) + "\n").utf8)) }
        guard !result.diagnostics.hasErrors, let config = result.value else {
            FileHandle.standardError.write(Data("\(path): not published: fix the errors above\n".utf8))
            throw ExitCode(1)
        }
        return config
    }
}

/// Kafka settings every client command shares: bootstrap servers by the README's precedence and
/// the file's `kafka.properties` (SASL and TLS settings, `${ENV}` resolved here).
struct KafkaClientSettings {
    var bootstrapServers: [String]
    var properties: [String: String]
    var configTopic: String
    var statusTopic: String
    /// `manager.offsets_topic` of the file (a command's `--offsets-topic` replaces it).
    var offsetsTopic: String
    var configTopicPartitions: Int

    init(global: GlobalOptions, file: StreamManagerConfig?) throws {
        let bootstrap = global.resolvedBootstrapServers(configFileValue: file?.kafka.bootstrapServers)
        guard bootstrap != "embedded" else {
            throw ValidationError("'embedded' is only for 'run'; give the bootstrap line that 'run' or 'kafka-dev' printed")
        }
        bootstrapServers = .bootstrapList(bootstrap)
        properties = try (file?.kafka ?? KafkaConfig()).resolvedProperties()
        let manager = file?.manager ?? ManagerConfig()
        configTopic = global.configTopic ?? manager.configTopic
        statusTopic = global.statusTopic ?? manager.statusTopic
        offsetsTopic = manager.offsetsTopic
        configTopicPartitions = manager.configTopicPartitions
    }

    func consumer(_ clientID: String) -> KafkaConsumerConfiguration {
        var c = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers)
        c.clientID = clientID
        c.properties = properties
        return c
    }

    func admin() -> KafkaAdminConfiguration {
        var a = KafkaAdminConfiguration(bootstrapServers: bootstrapServers)
        a.properties = properties
        return a
    }
}
