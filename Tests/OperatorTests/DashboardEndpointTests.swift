import Foundation
import Kafka
import Operator
import Reconciler
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// The dashboard's endpoints over real HTTP (the browser tests in Tests/ui drive the page itself):
/// the page and its assets, the snapshot, a source's detail, the event stream, and basic auth.
@Suite("dashboard endpoints: page, snapshot, detail, events, basic auth")
struct DashboardEndpointTests {
    static let logger = TestLogging.logger(label: "dashboard-tests")

    struct Probe: OperatorProbe {
        var isAlive: Bool { true }
        var isReady: Bool { true }
        func metricsJSON() -> [UInt8] { Array("{}".utf8) }
    }

    final class Data_: DashboardData {
        let fleet = FleetBoard(instanceID: "m1", statusTopic: "stream-status")
        func desiredConfig(of sourceID: String) -> Result<String, DashboardNote> {
            sourceID == "a/b é" ? .success(#"{"connector":{"token":"${API_TOKEN}"},"source_type":"generator"}"#)
                : .failure(DashboardNote("not in the desired state this manager reads"))
        }
        func committedCursorJSON(of sourceID: String) -> String? {
            sourceID == "a/b é" ? #"{"config":null,"config_hash":"aa","config_version":null,"cursor":"42","stream_id":"s","updated_at":"t"}"# : nil
        }
        func configVersions(of sourceID: String, configVersion: String?) async -> Result<String, DashboardNote> {
            .failure(DashboardNote("config versions come from the config topic; this manager reads its sources from a file"))
        }
    }

    /// A blocking socket call on a thread of its own: the handlers run on Swift's cooperative pool,
    /// which has one thread per core, and tests run in parallel.
    static func offPool<T: Sendable>(_ call: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread { continuation.resume(returning: call()) }.start() }
    }

    static func get(_ port: Int, _ path: String, _ headers: [String: String] = [:]) async -> (status: Int, headers: String, body: String)? {
        await offPool { RawHTTP.request(port: port, path: path, headers: headers) }
    }

    /// The complete events in a raw response (head, then the chunked body): (event, data) pairs.
    static func events(_ raw: String) -> [(event: String, data: String)] {
        guard let headEnd = raw.range(of: "\r\n\r\n") else { return [] }
        var body = String(raw[headEnd.upperBound...])
        // Chunk framing is CRLF-delimited; the event stream itself uses bare LF.
        body = body.replacingOccurrences(of: "(^|\r\n)[0-9a-fA-F]+\r\n", with: "", options: .regularExpression)
        var out: [(String, String)] = []
        let blocks = body.components(separatedBy: "\n\n")
        for block in blocks.dropLast() {  // the last one is not complete yet
            var event = "message", data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            if !data.isEmpty { out.append((event, data)) }
        }
        return out
    }

    /// Runs the endpoints on a free port for `body`.
    static func serving(_ data: Data_, auth: HTTPEndpoints.Credentials? = nil,
                        _ body: @Sendable (Int) async throws -> Void) async throws {
        let port = Mutex(0)
        let app = HTTPEndpoints.application(probe: Probe(), dashboard: data, auth: auth, host: "127.0.0.1", port: 0,
                                            logger: logger) { p in port.withLock { $0 = p } }
        let group = ServiceGroup(services: [app], logger: logger)
        let run = Task { try await group.run() }
        defer { run.cancel() }
        await eventually(timeout: .seconds(10)) { port.withLock { $0 } != 0 }
        try await body(port.withLock { $0 })
        await group.triggerGracefulShutdown()
        _ = try? await run.value
    }

    @Test("the page and its assets are served by the binary, with relative links and nothing from elsewhere")
    func page() async throws {
        try await Self.serving(Data_()) { port in
            let page = try #require(await Self.get(port, "/"))
            #expect(page.status == 200 && page.headers.lowercased().contains("content-type: text/html"))
            #expect(page.body.contains("src=\"dashboard.js\"") && page.body.contains("href=\"dashboard.css\""))
            #expect(page.headers.contains("Content-Security-Policy: default-src 'none'; script-src 'self'"), "\(page.headers)")
            for path in ["/dashboard.js", "/dashboard.css"] {
                let asset = try #require(await Self.get(port, path))
                #expect(asset.status == 200 && asset.body.count > 1000, "\(path)")
            }
            for path in ["/", "/dashboard.js", "/dashboard.css"] {
                let body = await Self.get(port, path)?.body ?? ""
                // No CDN, no web font, no absolute URL a cluster without internet access would miss.
                #expect(!body.contains("http://") && !body.contains("https://") && !body.contains("//cdn"), "\(path)")
            }
        }
    }

    @Test("snapshot and detail: records as written plus records/s; the config keeps ${REFERENCES}; unknown ids 404")
    func snapshotAndDetail() async throws {
        let data = Data_()
        data.fleet.observe(FleetBoardTests.status("a/b é", .running, processed: 10, at: 0))
        data.fleet.observe(FleetBoardTests.status("a/b é", .running, processed: 30, at: 2))
        try await Self.serving(data) { port in
            let fleet = try #require(await Self.get(port, "/api/fleet"))
            #expect(fleet.status == 200)
            let snapshot = try FleetBoardTests.parse(fleet.body)
            let row = try #require((snapshot["sources"] as? [[String: Any]])?.first)
            #expect(row["records_per_second"] as? Double == 10 && row["source_id"] as? String == "a/b é")
            #expect(snapshot["instance_id"] as? String == "m1" && snapshot["status_topic"] as? String == "stream-status")

            let encoded = "a/b é".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let detail = try #require(await Self.get(port, "/api/sources/\(encoded)"))
            #expect(detail.status == 200, "\(detail.body)")
            let d = try FleetBoardTests.parse(detail.body)
            #expect((d["transitions"] as? [Any])?.count == 1)
            #expect(((d["config"] as? [String: Any])?["connector"] as? [String: Any])?["token"] as? String == "${API_TOKEN}")
            #expect((d["cursor"] as? [String: Any])?["cursor"] as? String == "42")
            #expect(d["versions"] is NSNull && (d["versions_note"] as? String)?.contains("config topic") == true)

            #expect(await Self.get(port, "/api/sources/nope")?.status == 404)
        }
    }

    @Test("events: a snapshot first, then an update within a second of a status record, removals, and no reload needed")
    func events() async throws {
        let data = Data_()
        data.fleet.observe(FleetBoardTests.status("a", .running, processed: 1))
        try await Self.serving(data) { port in
            let stream = try #require(RawHTTP.Stream(port: port, path: "/events"))
            #expect(await Self.offPool { stream.read(until: { Self.events($0).first?.event == "snapshot" }, timeout: 5) },
                    "\(stream.text)")
            let snapshot = try FleetBoardTests.parse(try #require(Self.events(stream.text).first).data)
            #expect((snapshot["sources"] as? [Any])?.count == 1)
            #expect(stream.text.lowercased().contains("content-type: text/event-stream"))
            let before = Date()
            data.fleet.observe(FleetBoardTests.status("b", .rejected, error: "source 'b': line 1, column 12: expected a value"))
            data.fleet.observe(FleetBoardTests.record(SourceStatus.key("a"), nil))
            #expect(await Self.offPool { stream.read(until: { Self.events($0).contains { $0.event == "update" } }, timeout: 5) },
                    "\(stream.text)")
            #expect(Date().timeIntervalSince(before) < 2)
            let update = try FleetBoardTests.parse(try #require(Self.events(stream.text).first { $0.event == "update" }).data)
            #expect((update["sources"] as? [[String: Any]])?.first?["last_error"] as? String == "source 'b': line 1, column 12: expected a value")
            #expect(update["removed_sources"] as? [String] == ["a"])
        }
    }

    @Test("basic auth: the dashboard, its events and /status need the credentials; probes and /metrics do not")
    func auth() async throws {
        let credentials = HTTPEndpoints.Credentials(username: "ops", password: "s3cret: with colon")
        try await Self.serving(Data_(), auth: credentials) { port in
            func basic(_ user: String, _ password: String) -> [String: String] {
                ["Authorization": "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
            }
            for path in ["/", "/dashboard.js", "/dashboard.css", "/api/fleet", "/api/sources/a", "/events", "/status"] {
                let open = try #require(await Self.get(port, path))
                #expect(open.status == 401, "\(path)")
                #expect(open.headers.contains("WWW-Authenticate: Basic realm=\"stream-manager\""), "\(path): \(open.headers)")
                #expect(await Self.get(port, path, basic("ops", "wrong"))?.status == 401, "\(path)")
                #expect(await Self.get(port, path, basic("ops", "s3cret: with colo"))?.status == 401, "\(path)")
                #expect(await Self.get(port, path, ["Authorization": "Bearer s3cret"])?.status == 401, "\(path)")
            }
            for path in ["/", "/api/fleet", "/status"] {
                #expect(await Self.get(port, path, basic("ops", "s3cret: with colon"))?.status == 200, "\(path)")
            }
            let stream = try #require(RawHTTP.Stream(port: port, path: "/events", headers: basic("ops", "s3cret: with colon")))
            #expect(await Self.offPool { stream.read(until: { Self.events($0).first?.event == "snapshot" }, timeout: 5) })
            for path in ["/healthz", "/readyz", "/metrics"] {
                #expect(await Self.get(port, path)?.status == 200, "\(path)")
            }
        }
    }

    @Test("graceful shutdown ends an open event stream: the server does not wait for the browser to leave")
    func shutdownWithOpenStream() async throws {
        let port = Mutex(0)
        let app = HTTPEndpoints.application(probe: Probe(), dashboard: Data_(), host: "127.0.0.1", port: 0,
                                            logger: Self.logger) { p in port.withLock { $0 = p } }
        let group = ServiceGroup(services: [app], logger: Self.logger)
        let run = Task { try await group.run() }
        defer { run.cancel() }
        await eventually(timeout: .seconds(10)) { port.withLock { $0 } != 0 }
        let stream = try #require(RawHTTP.Stream(port: port.withLock { $0 }, path: "/events"))
        #expect(await Self.offPool { stream.read(until: { Self.events($0).first?.event == "snapshot" }, timeout: 5) })
        let start = ContinuousClock.now
        await group.triggerGracefulShutdown()
        _ = try? await run.value
        #expect(ContinuousClock.now - start < .seconds(3))
        // The stream ended with the server: the client sees the connection close.
        let waited = await Self.offPool { () -> TimeInterval in
            let t = Date()
            _ = stream.read(until: { _ in false }, timeout: 5)  // returns at once when closed
            return Date().timeIntervalSince(t)
        }
        #expect(waited < 4)
    }
}
