import ArgumentParser

@main
struct StreamManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream-manager",
        abstract: "Kafka-native configuration-as-data operator for external data feeds.",
        subcommands: [Run.self, Apply.self, Diff.self, Status.self, Restart.self, History.self, Rollback.self, Offsets.self,
                      Validate.self, KafkaDev.self]
    )
}
