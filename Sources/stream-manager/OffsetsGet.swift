import ArgumentParser

/// `stream-manager offsets get ID`: one source's record.
struct OffsetsGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print one source's offsets record as JSON, its cursor as the JSON it stands for.")

    @OptionGroup var options: OffsetsOptions

    @Argument(help: "The source id.")
    var sourceID: String

    func run() async throws {
        try await withKafkaClientsClosed {
            try await OffsetsOptions.refusing("get") {
                print(try await options.admin(label: "stream-manager.offsets").get(sourceID).json(pretty: true))
            }
        }
    }
}
