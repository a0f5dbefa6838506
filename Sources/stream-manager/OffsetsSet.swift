import ArgumentParser

/// `stream-manager offsets set ID CURSOR`: a stopped source's next start resumes at CURSOR.
struct OffsetsSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set a stopped source's cursor: its next start resumes there.",
        discussion: """
            CURSOR is JSON, of the shape the source type stores (README, 'offsets'): generator 5000; \
            file '{"file": "/data/a.csv", "offset": 0}'; HTTP types '{"after": "2026-11-29T10:00:00Z"}'. \
            Refused while the source runs.
            """)

    @OptionGroup var options: OffsetsOptions

    @Argument(help: "The source id.")
    var sourceID: String

    @Flag(help: "Skip the check that the source is not running (its manager is gone for good and left its status behind).")
    var force = false

    // Taken as it is even when it starts with a dash: `-3` is a cursor to refuse with its
    // shape, not an unknown option.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The cursor, as JSON (one argument: quote it).", valueName: "cursor"))
    var cursorArguments: [String] = []

    func validate() throws {
        guard cursorArguments.count == 1 else {
            throw ValidationError("give the cursor as one JSON argument (quote it), e.g. 5000 or '{\"after\": 42}'")
        }
    }

    func run() async throws {
        try await withKafkaClientsClosed {
            try await OffsetsOptions.refusing("set") {
                let (before, after) = try await options.admin(label: "stream-manager.offsets").set(sourceID, cursor: cursorArguments[0], force: force)
                print("\(sourceID): cursor \(before?.cursorJSON ?? "none") → \(after.cursorJSON)")
            }
        }
    }
}
