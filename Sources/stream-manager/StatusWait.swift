import ArgumentParser
import Foundation
import Logging
import Pipeline
import Reconciler
import Synchronization

/// `--wait` of the commands that publish to the config topic: follow the status topic until the
/// fleet shows what was asked for, a failure, or the timeout (exit 1 for the last two).
enum StatusWait {
    /// Until each changed source is RUNNING with its published hash (see `ApplyExpectation`).
    static func applied(_ changes: [ConfigChange], kafka: KafkaClientSettings, logger: Logger, timeout: Double,
                        command: String) async throws {
        let expectations = changes.map(ApplyExpectation.init(change:))
        let reported = Reported()
        let result = try await StatusWatch.follow(topic: kafka.statusTopic, configuration: kafka.consumer("stream-manager-apply"),
                                                  logger: logger, timeout: Saturating.duration(seconds: timeout)) { board -> String? in
            var pending = false
            for e in expectations {
                switch e.verdict(board.sources[e.sourceID]) {
                case .failed(let message): return message
                case .pending: pending = true
                case .done: reported.once(e.sourceID) { print("ready: \(e.sourceID)"); fflush(nil) }
                }
            }
            return pending ? nil : ""
        }
        switch result {
        case ""?: print("all \(expectations.count) applied source(s) are in place")
        case let message?: try fail("\(command): \(message)")
        case nil:
            let waiting = expectations.map(\.sourceID).filter { !reported.has($0) }
            try fail("\(command): timed out after \(timeout)s waiting for: \(waiting.joined(separator: ", "))")
        }
    }

    /// Until `check` returns a verdict: nil = keep waiting, "" = done, anything else = the failure.
    static func until(kafka: KafkaClientSettings, logger: Logger, timeout: Double, command: String,
                      waitingFor: String, _ check: @escaping @Sendable (StatusBoard) -> String?) async throws {
        let result = try await StatusWatch.follow(topic: kafka.statusTopic, configuration: kafka.consumer("stream-manager-cli"),
                                                  logger: logger, timeout: Saturating.duration(seconds: timeout), check: check)
        switch result {
        case ""?: return
        case let message?: try fail("\(command): \(message)")
        case nil: try fail("\(command): timed out after \(timeout)s waiting for \(waitingFor)")
        }
    }

    /// Exit 1 through `ExitCode`, so the command still waits for its Kafka clients to close.
    static func fail(_ message: String) throws -> Never {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
        throw ExitCode(1)
    }
}

/// Which sources `--wait` has announced as ready (printed once each).
private final class Reported: Sendable {
    private let ids = Mutex<Set<String>>([])
    func once(_ id: String, _ body: () -> Void) {
        let first = ids.withLock { $0.insert(id).inserted }
        if first { body() }
    }
    func has(_ id: String) -> Bool { ids.withLock { $0.contains(id) } }
}
