import Foundation
import Hummingbird
import ServiceLifecycle

/// One client's `GET /events`: a `snapshot` event, then an `update` event with what changed at most
/// every `period`, and a comment every `keepAlive` so proxies keep an idle stream open (and a
/// client that left is noticed). Ends when the client goes (a write fails) or the server shuts down.
struct FleetEventStream {
    let board: FleetBoard
    var period: Duration = .milliseconds(250)
    var keepAlive: Duration = .seconds(15)

    func run(_ writer: inout any ResponseBodyWriter) async throws {
        // The browser waits this long before reconnecting after the stream ends.
        try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
        var seq = try await sendSnapshot(&writer)
        var quietSince = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try await Task.sleep(for: period)
            switch board.changes(since: seq) {
            case .none:
                if ContinuousClock.now - quietSince >= keepAlive {
                    try await writer.write(ByteBuffer(string: ": ping\n\n"))
                    quietSince = .now
                }
            case .update(let json, let latest):
                try await writer.write(ByteBuffer(string: "event: update\ndata: \(json)\n\n"))
                seq = latest
                quietSince = .now
            case .resync:
                seq = try await sendSnapshot(&writer)
                quietSince = .now
            }
        }
        try await writer.finish(nil)
    }

    private func sendSnapshot(_ writer: inout any ResponseBodyWriter) async throws -> UInt64 {
        let (json, seq) = board.snapshotJSON()
        // The JSON is one line (no raw newline survives JSON string escaping), as `data:` needs.
        try await writer.write(ByteBuffer(string: "event: snapshot\ndata: \(json)\n\n"))
        return seq
    }
}
