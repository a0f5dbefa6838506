import ArgumentParser
import Foundation
import Reconciler

/// `stream-manager diff -f FILE`: the plan against the live topic; a CI gate.
struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the plan of a config file against the config topic.",
        discussion: """
            One line per budget ('+ budget <name>', '~ budget <name> (requests: 60 → 30)', \
            '- budget <name>'), then one per source: '+ <id>' (new), '- <id>' (in the topic, not in the file; \
            removed by 'apply --prune'), '~ <id> (<path>: <old> → <new>, …)', each followed by how \
            the running fleet takes it and where the source runs now: '[hot; runs on m1]' (new, \
            remove, hot, restart, enable, disable). Exit 0 when nothing differs, 2 when something \
            does, 1 on error.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .shortAndLong, help: "Config file (YAML or JSON).")
    var file: String

    func run() async throws {
        try await withKafkaClientsClosed { try await execute() }
    }

    private func execute() async throws {
        let logger = global.makeLogger(label: "stream-manager.diff")
        do {
            let config = try ConfigFile.loadStrict(file)
            let kafka = try KafkaClientSettings(global: global, file: config)
            let live = try await LiveTopic.read(kafka, logger: logger)
            let budgetChanges = planBudgetChanges(file: config.budgets, live: live.budgets, prune: true)
            let changes = planConfigChanges(file: config.sources, live: live.sources, prune: true)
            for change in budgetChanges { print(change.line) }
            try await LiveTopic.printPlan(changes, live: live.sources, kafka: kafka, logger: logger)
            fflush(nil)
            if !changes.isEmpty || !budgetChanges.isEmpty { throw ExitCode(2) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandle.standardError.write(Data("diff: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
