import ArgumentParser
import Foundation
import StreamConfig

/// `stream-manager validate FILE...`: every problem as `FILE:LINE:COLUMN: error|warning: message`
/// on stdout; exit 1 when any file has an error, 0 otherwise (warnings alone pass).
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check config files without running anything.",
        discussion: """
            Prints each problem as FILE:LINE:COLUMN: error|warning: message (1-based) and exits 1 \
            if any file has an error. Unknown keys are errors here (the running operator only \
            warns about them). Environment references (${NAME}) whose variable is unset here are \
            warnings, and so are references, URLs and paths an operator with the default (or this \
            file's) manager.source_access would refuse. Use '-' to read standard input.
            """)

    @Argument(help: "Config files (YAML or JSON).")
    var files: [String]

    @Flag(help: "Treat each file as a single source entry (the value of one sources.<id>, as a config-topic record holds).")
    var sourceDocument = false

    @Option(name: .customLong("source-id"), help: "With --source-document: the source id (the record key) the entry is stored under.")
    var sourceID: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file to validate") }
        if sourceID != nil && !sourceDocument {
            throw ValidationError("--source-id needs --source-document")
        }
    }

    func run() throws {
        let options = ValidationOptions(unknownKeys: .error, environment: ProcessInfo.processInfo.environment,
                                        access: .advise(SourceAccessPolicy()))
        var failed = false
        for file in files {
            let diagnostics = check(file, options: options)
            for diagnostic in diagnostics {
                print(diagnostic.formatted(file: file == "-" ? "<stdin>" : file))
            }
            failed = failed || diagnostics.hasErrors
        }
        fflush(nil)
        if failed { throw ExitCode(1) }
    }

    private func check(_ file: String, options: ValidationOptions) -> [Diagnostic] {
        if file == "-" {
            // Read no more than the limit allows, so a huge input is refused without holding it.
            let limits: DocumentLimits = sourceDocument ? .sourceDocument : .configDocument
            let data: Data
            do {
                data = try ConfigLoader.readDocument(from: FileHandle.standardInput, limits: limits)
            } catch {
                return [Diagnostic(severity: .error, path: "", line: 1, column: 1,
                                   message: "standard input could not be read: \(error.localizedDescription)")]
            }
            return sourceDocument
                ? ConfigLoader.parseSourceDocument(data: data, sourceID: sourceID, options: options).diagnostics
                : ConfigLoader.parse(data: data, options: options).diagnostics
        }
        return sourceDocument
            ? ConfigLoader.loadSourceDocument(contentsOf: file, sourceID: sourceID, options: options).diagnostics
            : ConfigLoader.load(contentsOf: file, options: options).diagnostics
    }
}
