import ArgumentParser
import StreamConfig

/// `--config FILE` of the commands that only talk to Kafka: the file's `kafka` and `manager`
/// sections give the topics and the security settings (its sources are not read).
struct ConfigSections: ParsableArguments {
    @Option(help: "Config file whose kafka and manager sections (topics, security) to use.")
    var config: String?

    func kafka(_ global: GlobalOptions) throws -> KafkaClientSettings {
        let file = try config.map { try ConfigLoader.loadOrThrow(contentsOf: $0, options: .lenient) }
        return try KafkaClientSettings(global: global, file: file)
    }
}
