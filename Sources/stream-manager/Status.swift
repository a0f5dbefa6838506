import ArgumentParser
import Foundation
import Reconciler
import StreamConfig
import Synchronization

/// `stream-manager status`: the status topic as a table (or JSON).
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the status topic: every source and every manager.",
        discussion: "-o json prints {\"sources\": [...], \"managers\": [...]} with the records as written.")

    enum Format: String, ExpressibleByArgument { case table, json }

    @OptionGroup var global: GlobalOptions

    @Option(name: .shortAndLong, help: "Output: table or json.")
    var output: Format = .table

    @Flag(help: "Keep watching: print again whenever the status topic changes.")
    var watch = false

    @OptionGroup var sections: ConfigSections

    func run() async throws {
        try await withKafkaClientsClosed { try await execute() }
    }

    private func execute() async throws {
        let logger = global.makeLogger(label: "stream-manager.status")
        let kafka = try sections.kafka(global)
        let format = output
        guard watch else {
            let board = try await StatusWatch.snapshot(topic: kafka.statusTopic, configuration: kafka.consumer("stream-manager-status"),
                                                       logger: logger)
            print(Self.render(board, format))
            return
        }
        // Re-rendered on every change, at most twice a second; runs until interrupted.
        let last = LastRender()
        _ = try await StatusWatch.follow(topic: kafka.statusTopic, configuration: kafka.consumer("stream-manager-status"),
                                         logger: logger, timeout: .seconds(365 * 24 * 3600)) { board -> Bool? in
            guard last.due() else { return nil }
            if format == .table { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            print(Self.render(board, format))
            fflush(nil)
            return nil
        }
    }

    static func render(_ board: StatusBoard, _ format: Format) -> String {
        format == .json ? board.json() : StatusTable.render(board, now: Date())
    }
}

private final class LastRender: Sendable {
    private let at = Mutex(Date.distantPast)
    func due() -> Bool {
        at.withLock { at in
            guard Date().timeIntervalSince(at) >= 0.5 else { return false }
            at = Date()
            return true
        }
    }
}
