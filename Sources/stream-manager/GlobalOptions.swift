import ArgumentParser
import Foundation
import Logging

/// Flags shared by every command that talks to Kafka (README, "CLI").
struct GlobalOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port,...), or 'embedded' for an in-process cluster. Precedence: this flag, $STREAM_MANAGER_BOOTSTRAP_SERVERS, the config file's kafka.bootstrap_servers, localhost:9092.")
    var bootstrapServers: String?

    @Option(help: "The config topic.")
    var configTopic: String?

    @Option(help: "The status topic.")
    var statusTopic: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log format: text or json.")
    var logFormat: LogFormat = .text

    /// The bootstrap servers: the flag, then `$STREAM_MANAGER_BOOTSTRAP_SERVERS`, then the config file, then localhost.
    func resolvedBootstrapServers(configFileValue: String? = nil) -> String {
        if let bootstrapServers, !bootstrapServers.isEmpty { return bootstrapServers }
        if let env = ProcessInfo.processInfo.environment["STREAM_MANAGER_BOOTSTRAP_SERVERS"], !env.isEmpty { return env }
        if let configFileValue, !configFileValue.isEmpty { return configFileValue }
        return "localhost:9092"
    }

    func makeLogger(label: String) -> Logger {
        LogSetup.bootstrap(level: logLevel, format: logFormat)
        return Logger(label: label)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

enum LogFormat: String, ExpressibleByArgument, Sendable {
    case text, json
}
