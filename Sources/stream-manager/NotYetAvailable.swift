import ArgumentParser

// Commands whose issues have not landed yet; they exist so `--help` shows the whole CLI.

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Publish a config file's sources to the config topic.")
    @OptionGroup var global: GlobalOptions
    func run() throws { throw ValidationError("apply is not yet available") }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the plan of a config file against the config topic.")
    @OptionGroup var global: GlobalOptions
    func run() throws { throw ValidationError("diff is not yet available") }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the status topic as a table.")
    @OptionGroup var global: GlobalOptions
    func run() throws { throw ValidationError("status is not yet available") }
}
