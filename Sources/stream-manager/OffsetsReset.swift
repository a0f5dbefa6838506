import ArgumentParser

/// `stream-manager offsets reset ID`: a stopped source's next start begins as new.
struct OffsetsReset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Forget a stopped source's cursor (a tombstone): its next start begins as new.",
        discussion: "Refused while the source runs. A source with no cursor is left as it is (exit 0).")

    @OptionGroup var options: OffsetsOptions

    @Argument(help: "The source id.")
    var sourceID: String

    @Flag(help: "Skip the check that the source is not running (its manager is gone for good and left its status behind).")
    var force = false

    func run() async throws {
        try await withKafkaClientsClosed {
            try await OffsetsOptions.refusing("reset") {
                if let forgotten = try await options.admin(label: "stream-manager.offsets").reset(sourceID, force: force) {
                    print("\(sourceID): cursor \(forgotten.cursorJSON) forgotten; the next start begins as new")
                } else {
                    print("\(sourceID): no committed cursor; nothing to reset")
                }
            }
        }
    }
}
