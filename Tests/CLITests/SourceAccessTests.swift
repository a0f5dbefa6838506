import Foundation
import TestSupport
import Testing

/// What someone who can write the config topic can make the operator do, checked from outside as
/// an attacker and an operator would see it: the broker and `run` as processes, records written
/// with kcat, the answers read from `status -o json`, `GET /status` and the manager's stderr.
@Suite("manager.source_access and secrets, against a broker process", .serialized)
struct SourceAccessTests {
    static let kcat = EmbeddedClusterCommandTests.kcat
    static let enabled = kcat != nil

    /// Not a real credential: a value that must never appear anywhere a reader can see.
    static let secret = "probe-\(UUID().uuidString.lowercased().prefix(13))"

    /// A manager whose --config lets sources read PROBE_SECRET (and nothing else of its environment).
    final class Manager {
        let child: StreamManagerBinary.Child
        let http: String
        init(_ cluster: OperatorCommandTests.Cluster) throws {
            let config = try OperatorCommandTests.file("""
                manager:
                  status_interval_seconds: 1
                  source_access:
                    env: [PROBE_SECRET]
                """)
            child = try StreamManagerBinary.Child(
                ["run", "--bootstrap-servers", cluster.bootstrap, "--config", config, "--instance-id", "access-1",
                 "--http-port", "0", "--http-host", "127.0.0.1", "--log-level", "debug"],
                environment: ["PROBE_SECRET": SourceAccessTests.secret])
            let line = try #require(child.waitForLine(prefix: "http endpoints: "))
            http = String(line.dropFirst("http endpoints: ".count))
        }

        func terminate() -> Int32? { child.terminate() }

        func get(_ path: String) throws -> String {
            let port = try #require(child.httpPort)
            return try #require(RawHTTP.request(port: port, path: path, timeout: 10)).body
        }
    }

    /// `key:value` records on the config topic, as anyone with write access can put them there.
    static func put(_ cluster: OperatorCommandTests.Cluster, _ records: [String: String]) throws {
        try cluster.produce(records.map { "\($0.key):\($0.value)" })
    }

    /// A local server that answers every request 500, quoting the X-Api-Key it got, then 1000 bytes of filler.
    static func failingServer() async throws -> TestServerProcess {
        try await PythonServer.start(script: PythonServer.prelude + """

            from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
            class H(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def log_message(self, *a): pass
                def do_GET(self):
                    body = ("internal error for key " + (self.headers.get("X-Api-Key") or "") + "\\n" + "y" * 1000).encode()
                    self.send_response(500)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
            s = ThreadingHTTPServer(("127.0.0.1", 0), H)
            announce(s.server_port)
            s.serve_forever()
            """)
    }

    static func poll(_ source: String) -> String {
        #"{"source_type":"http_json","topic":"\#(source)-data","rate_limit_per_minute":0,"max_retries":0,"cache_ttl_seconds":0,"#
            + #""ingestion":{"mode":"real_time","polling_interval_seconds":1},"connector":"#
    }

    @Test("a secret in a URL's host: curl's resolver error shows it nowhere — status topic, /status, /metrics, logs",
          .enabled(if: enabled, "kcat is not installed"))
    func resolverErrorIsRedacted() throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try Manager(cluster)
        try Self.put(cluster, ["probe": Self.poll("probe") + #"{"url":"http://${PROBE_SECRET}.invalid:1/x"}}"#])
        let status = try cluster.waitStatus { ($0["probe"]?["last_error"] as? String)?.contains("curl error 6") == true }
        let lastError = try #require(status["probe"]?["last_error"] as? String)
        #expect(lastError.contains("Could not resolve host: REDACTED.invalid"), "\(lastError)")
        Thread.sleep(forTimeInterval: 2)  // the test: a few more polls, status writes and log lines

        let everywhere = [("status -o json", try cluster.cli(["status", "-o", "json"]).stdout),
                          ("the status topic", try cluster.records("stream-status").joined(separator: "\n")),
                          ("GET /status", try manager.get("/status")), ("GET /metrics", try manager.get("/metrics"))]
        for (place, text) in everywhere {
            #expect(!text.isEmpty, "\(place) is empty")
            #expect(!text.contains(Self.secret), "the secret is in \(place)")
        }
        #expect(try manager.get("/status").contains("REDACTED.invalid"))
        #expect(manager.terminate() == 0)
        let logs = manager.child.stderrText
        #expect(logs.contains("REDACTED.invalid"), "the failure is logged, redacted")
        #expect(!logs.contains(Self.secret), "the secret is in the manager's stderr")
    }

    @Test("an unlisted ${HOME}, file:///etc/passwd and a file source reading /etc/passwd are REJECTED; nothing is published",
          .enabled(if: enabled, "kcat is not installed"))
    func outsideTheListsIsRejected() throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try Manager(cluster)
        try Self.put(cluster, [
            "home": Self.poll("home") + #"{"url":"http://127.0.0.1:1/?h=${HOME}"}}"#,
            "passwd_http": Self.poll("passwd_http") + #"{"url":"file:///etc/passwd","format":"csv"}}"#,
            "passwd_file": #"{"source_type":"file","topic":"passwd_file-data","connector":{"path":"/etc/passwd"}}"#,
            "fine": #"{"source_type":"generator","topic":"fine-data","rate_limit_per_minute":0,"connector":{"rate_per_second":5}}"#,
        ])
        let ids = ["home", "passwd_http", "passwd_file"]
        let status = try cluster.waitStatus { s in
            ids.allSatisfy { s[$0]?["state"] as? String == "REJECTED" } && s["fine"]?["state"] as? String == "RUNNING"
        }
        func rejection(_ id: String) -> String { (status[id]?["rejected"] as? [String: Any])?["error"] as? String ?? "" }
        #expect(status["fine"]?["state"] as? String == "RUNNING", "one bad record does not stop the others")
        #expect(rejection("home") == "line 1, column \(Self.poll("home").count + 8): connector.url: environment variable HOME is not in "
            + "manager.source_access.env (the operator's allow-list); add it or a glob such as FIRMS_* to the operator's --config",
                "\(rejection("home"))")
        #expect(rejection("passwd_http").contains("connector.url: URL scheme 'file' is not in manager.source_access.url_schemes"))
        #expect(rejection("passwd_file").contains("connector.path: path '/etc/passwd' is outside manager.source_access.file_roots"))
        for id in ids { #expect(status[id]?["stream_id"] is NSNull, "\(id) runs nothing") }

        Thread.sleep(forTimeInterval: 2)  // the test: the rejected sources publish nothing in this time
        #expect(manager.terminate() == 0)
        for id in ids { #expect(try cluster.records("\(id)-data").isEmpty, "\(id) published records") }
        #expect(!(try cluster.records("fine-data").isEmpty))
        #expect(!manager.child.stderrText.contains("root:x:0:0"), "/etc/passwd was read")
    }

    @Test("a 500 whose body quotes the secret: last_error is redacted and cut to a short excerpt",
          .enabled(if: enabled, "kcat is not installed"))
    func errorBodyIsRedactedAndCut() async throws {
        let server = try await Self.failingServer()
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try Manager(cluster)
        try Self.put(cluster, ["echo": Self.poll("echo")
            + #"{"url":"http://127.0.0.1:\#(server.port)/fail","headers":{"X-Api-Key":"${PROBE_SECRET}"}}}"#])
        let status = try cluster.waitStatus { ($0["echo"]?["last_error"] as? String)?.contains("HTTP 500") == true }
        let lastError = try #require(status["echo"]?["last_error"] as? String)
        #expect(lastError.hasPrefix("HTTP 500 (GET http://127.0.0.1:\(server.port)/fail): internal error for key REDACTED\\nyyy"),
                "\(lastError)")
        #expect(lastError.hasSuffix("…") && lastError.utf8.count < 260, "\(lastError.utf8.count) bytes: \(lastError)")
        #expect(!lastError.contains(Self.secret))
        #expect(!(try manager.get("/status")).contains(Self.secret))
        #expect(manager.terminate() == 0)
        #expect(!manager.child.stderrText.contains(Self.secret))
    }
}
