import Foundation
import TestSupport
import Testing

/// Status that tells the truth, seen from outside: the operator as its own process against a
/// broker process, read back through the status topic as `status` reads it. A source whose
/// fetches never complete and a source held up by a full queue turn DEGRADED with the reason,
/// and RUNNING again by themselves once they make progress.
@Suite("stream health as the status topic shows it", .serialized)
struct StreamHealthTests {
    static let kcat = OperatorCommandTests.kcat

    /// An HTTP server that accepts every request and never answers it, until the flag file
    /// exists; from then on it answers with two JSON records.
    static func silentServer(flag: String) async throws -> TestServerProcess {
        try await PythonServer.start(script: PythonServer.prelude + """

            import json, time
            from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
            flag = sys.argv[2]
            class H(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def log_message(self, *a): pass
                def do_GET(self):
                    if not os.path.exists(flag):
                        time.sleep(3600)  # the request was read; no answer ever comes
                        return
                    body = json.dumps([{"id": 1}, {"id": 2}]).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
            ThreadingHTTPServer.daemon_threads = True
            s = ThreadingHTTPServer(("127.0.0.1", 0), H)
            announce(s.server_port)
            s.serve_forever()
            """, arguments: [flag])
    }

    @Test("a source whose server never answers: DEGRADED (stalled) within max(3 × polling, 2 × timeout + 5 s); RUNNING once it answers",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func stalledFetches() async throws {
        let flag = NSTemporaryDirectory() + "answer-\(UUID().uuidString)"
        let server = try await Self.silentServer(flag: flag)
        defer { server.stop() }
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try cluster.manager("health-stall", config: "manager: {status_interval_seconds: 1}\n")
        // polling 1 s, timeout 1 s: the bound is max(3 × 1, 2 × 1 + 5) = 7 s. Everything else default.
        let began = Date()
        try cluster.produce([#"quiet:{"source_type":"http_json","topic":"quiet-data","timeout_seconds":1,"#
            + #""ingestion":{"polling_interval_seconds":1},"connector":{"url":"http://127.0.0.1:\#(server.port)/items"}}"#])
        let stalled = try cluster.waitStatus(timeout: 30) { $0["quiet"]?["state"] as? String == "DEGRADED" }
        let elapsed = Date().timeIntervalSince(began)
        let quiet = try #require(stalled["quiet"])
        #expect(quiet["state"] as? String == "DEGRADED", "\(quiet)")
        #expect(quiet["reason"] as? String == "stalled", "\(quiet)")
        let lastError = quiet["last_error"] as? String ?? ""
        #expect(lastError.contains("stalled") && lastError.contains("no fetch"), "\(lastError)")
        #expect(quiet["last_progress_at"] is NSNull, "nothing has been fetched yet")
        #expect(lastError.contains("over 7 s"), "the bound is named: \(lastError)")
        // When: the records' own times, from the stream's start (its RUNNING record) to DEGRADED —
        // the bound, then at most the next status tick (1 s), with two seconds of slack for a busy machine.
        let history = try cluster.detailedRecords("stream-status").filter { $0.key == "source:quiet" }.compactMap(\.json)
        let time = ISO8601DateFormatter()
        time.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func at(_ state: String) -> Date? {
            (history.first { $0["state"] as? String == state }?["updated_at"] as? String).flatMap(time.date(from:))
        }
        let started = try #require(at("RUNNING")), degraded = try #require(at("DEGRADED"))
        let took = degraded.timeIntervalSince(started)
        #expect(took > 7 - 0.1 && took < 7 + 1 + 2, "DEGRADED \(took) s after the stream started")
        print("stalled \(took) s after the start (\(elapsed) s after the config was written): \(lastError)")

        _ = FileManager.default.createFile(atPath: flag, contents: Data())
        let recovered = try cluster.waitStatus(timeout: 30) { $0["quiet"]?["state"] as? String == "RUNNING" }
        let back = try #require(recovered["quiet"])
        #expect(back["state"] as? String == "RUNNING", "\(back)")
        #expect(back["reason"] is NSNull)
        #expect(back["last_progress_at"] is String, "\(back)")
        #expect(back["consecutive_failures"] as? Int == 0 && back["restarts"] as? Int == 0, "\(back)")
        #expect(manager.terminate() == 0)
    }

    @Test("brokers gone under a generator with queue_overflow_strategy block: DEGRADED (backpressure) after 60 s blocked; RUNNING when they return, no seq missing",
          .enabled(if: kcat != nil, "kcat is not installed"), .timeLimit(.minutes(4)))
    func backpressure() async throws {
        let cluster = try OperatorCommandTests.Cluster(outages: true)
        // The sources come from a file: in Kafka mode a replica cut off from the brokers longer
        // than its group session (10 s) hands its sources over, and this test is about a stream
        // that keeps running through the outage. A small queue and a small producer buffer, so
        // the queue fills within seconds of the outage; the overflow strategy is the default (block).
        let manager = try cluster.manager("health-block", config: """
            queue_max_size: 1000
            kafka: {properties: {queue.buffering.max.messages: "1000"}}
            manager: {status_interval_seconds: 1}
            sources:
              steady:
                source_type: generator
                topic: block-data
                rate_limit_per_minute: 0
                ingestion: {polling_interval_seconds: 0.1}
                connector: {rate_per_second: 500}
            """, extra: ["--source", "file"])
        let port = try #require(manager.httpPort)
        _ = try cluster.waitStatus { $0["steady"]?["state"] as? String == "RUNNING" }

        cluster.broker.takeDown()
        // The status topic is out of reach now; the manager's own view is in /status meanwhile.
        let blocked = await eventually(timeout: .seconds(120), every: .seconds(1)) {
            RawHTTP.request(port: port, path: "/status")?.body.contains("backpressure") == true
        }
        #expect(blocked, "no backpressure in /status: \(RawHTTP.request(port: port, path: "/status")?.body.prefix(2000) ?? "")\n\(manager.stderrText.suffix(20000))")
        cluster.broker.bringBack()

        // The records written during the outage reach the status topic once Kafka is back: the
        // DEGRADED one with the reason, then RUNNING again.
        var history: [[String: Any]] = []
        let recovered = try await eventually(timeout: .seconds(60), every: .seconds(1)) {
            history = try cluster.detailedRecords("stream-status").filter { $0.key == "source:steady" }.compactMap(\.json)
            return history.drop { $0["reason"] as? String != "backpressure" }.contains { $0["state"] as? String == "RUNNING" }
        }
        let states = history.map { "\($0["state"] ?? "")/\($0["reason"] ?? "")" }
        #expect(recovered, "not RUNNING again after backpressure: \(states)")
        let degraded = history.first { $0["reason"] as? String == "backpressure" }
        #expect(degraded?["state"] as? String == "DEGRADED", "no backpressure record: \(states)")
        let message = degraded?["last_error"] as? String ?? ""
        #expect(message.contains("backpressure") && message.contains("queue_overflow_strategy block"), "\(message)")
        #expect(message.contains("producer:"), "the producer's error is named: \(message)")
        print("backpressure record: \(message); history \(states)")
        let now = try cluster.waitStatus(timeout: 30) { $0["steady"]?["state"] as? String == "RUNNING" }
        #expect(now["steady"]?["reason"] is NSNull)
        #expect(manager.terminate() == 0)

        // Nothing queued or blocked during the outage was lost: every seq from the first to the last.
        let seqs = try cluster.records("block-data").compactMap { line -> Int? in
            let value = line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any])?["seq"] as? Int
        }
        let unique = Set(seqs)
        let (low, high) = (try #require(unique.min()), try #require(unique.max()))
        #expect(unique.count == high - low + 1, "missing \(high - low + 1 - unique.count) of \(high - low + 1) records")
        #expect(high - low > 2_000, "too few records to have filled the queue and the producer buffer: \(high - low + 1)")
    }
}
