import ArgumentParser

/// `stream-manager offsets`: the committed cursors of the offsets topic, read and edited by hand.
struct Offsets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read and edit the committed cursors of the offsets topic.",
        discussion: """
            set and reset are refused while the source runs: pause it with 'enabled: false', \
            edit the cursor, then enable it; it resumes from the edited cursor.
            """,
        subcommands: [OffsetsList.self, OffsetsGet.self, OffsetsSet.self, OffsetsReset.self])
}
