import ArgumentParser

// Placeholder until the config issue's validate command lands in this file.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate config files.")
    @Argument var files: [String] = []
    func run() throws { throw ValidationError("validate is not yet available") }
}
