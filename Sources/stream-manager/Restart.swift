import ArgumentParser
import Foundation
import Reconciler
import StreamConfig

/// `stream-manager restart ID`: a new stream for a running source, same config, same cursor.
struct Restart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restart a running source: a new connector and stream id, resuming at its cursor.",
        discussion: """
            Publishes a restart request for the stream the status topic shows running (key \
            '__restart:<id>' in the config topic; the source's config and hash do not change). The \
            replica that runs the source replaces the stream make-before-break: the new one starts \
            at the old one's cursor, so nothing is skipped or repeated. A request names the stream it \
            restarts, so it is carried out once. Needs managers that read the config topic \
            ('run --source kafka'). Exit codes: 0 requested (with --wait: running with a new stream \
            id), 1 error, not running, or timeout.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The source id.")
    var sourceID: String

    @Flag(help: "Wait until the status topic shows the source RUNNING with a new stream id.")
    var wait = false

    @Option(help: "Seconds --wait waits.")
    var timeout: Double = 60

    @Option(help: "Who asks, for the request and its applied-by header (default $USER@$HOSTNAME).")
    var appliedBy: String?

    @OptionGroup var sections: ConfigSections

    func run() async throws {
        try await withKafkaClientsClosed { try await execute() }
    }

    private func execute() async throws {
        let logger = global.makeLogger(label: "stream-manager.restart")
        let kafka = try sections.kafka(global)
        let board = try await LiveTopic.statusBoard(kafka, logger: logger)
        let (status, streamID) = try Self.runningStream(sourceID, in: board)
        let who = ConfigTopicWriter.Provenance.fromEnvironment(appliedBy: appliedBy)
        let writer = try ConfigTopicWriter(topic: kafka.configTopic, bootstrapServers: kafka.bootstrapServers,
                                           properties: kafka.properties, logger: logger)
        let request = RestartRequest(sourceID: sourceID, streamID: streamID, requestedBy: who.appliedBy)
        let version = try await writer.publish(request, provenance: who)
        await writer.close()
        print("restart of '\(sourceID)' requested (\(version)): stream \(streamID) on \(status.instanceID)")
        fflush(nil)
        guard wait else { return }
        let id = sourceID
        try await StatusWait.until(kafka: kafka, logger: logger, timeout: timeout, command: "restart --wait",
                                   waitingFor: "'\(id)' to run a stream other than \(streamID)") { board in
            guard let now = board.sources[id] else { return "'\(id)' is no longer in the status topic (removed?)" }
            if now.state == .failed, now.streamID == streamID { return "'\(id)' FAILED: \(now.lastError ?? "no error reported")" }
            guard let new = now.streamID, new != streamID, now.state == .running || now.state == .degraded else { return nil }
            print("restarted: \(id) runs stream \(new) on \(now.instanceID) (\(now.state.rawValue))")
            return ""
        }
    }

    /// The stream to restart: the source must be running, under a manager that reads the config
    /// topic (one reading a file or ConfigMap never sees the request).
    static func runningStream(_ id: String, in board: StatusBoard) throws -> (SourceStatus, String) {
        guard let status = board.sources[id] else {
            try StatusWait.fail("restart: no status for '\(id)': it is not applied, or no manager has reported it yet")
        }
        let running: Set<SourceState> = [.running, .degraded, .reconfiguring]
        guard running.contains(status.state), let streamID = status.streamID else {
            try StatusWait.fail("restart: '\(id)' is not running (\(status.state.rawValue) on \(status.instanceID)); "
                + "nothing to restart — enable it, or check 'status'")
        }
        if let source = board.managers[status.instanceID]?.configSource, source != "kafka" {
            try StatusWait.fail("restart: '\(id)' runs on \(status.instanceID), which reads its config from \(source); "
                + "restart requests travel through the config topic (managers started with '--source kafka')")
        }
        return (status, streamID)
    }
}
