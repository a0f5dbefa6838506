import Foundation
import TestSupport
import Testing

/// `manager.http_auth` as a user configures it: the operator as its own process, the password from
/// the environment. (The page itself is driven by a real browser in Tests/ui.)
@Suite("dashboard basic auth, operator as its own process", .serialized)
struct DashboardAuthTests {
    static let password = "pw-\(UUID().uuidString.prefix(8))"

    static func config(_ extra: String = "") throws -> String {
        try OperatorCommandTests.file("""
            manager:
              status_interval_seconds: 1
              http_auth: {username: ops, password: "${DASHBOARD_TEST_PASSWORD}"}
            \(extra)
            """)
    }

    @Test("a password reference that does not resolve stops the start (exit 1, the setting named) instead of serving the dashboard open")
    func unresolvedPassword() throws {
        let cluster = try OperatorCommandTests.Cluster()
        let child = try StreamManagerBinary.Child(["run", "--bootstrap-servers", cluster.bootstrap, "--http-port", "0",
                                                   "--config", try Self.config()],
                                                  environment: ["DASHBOARD_TEST_PASSWORD_UNRELATED": "x"])
        let deadline = Date().addingTimeInterval(20)
        while child.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!child.isRunning, "still running without its password")
        #expect(child.terminate() == 1)
        #expect(child.stderrText.contains("manager.http_auth.password") && child.stderrText.contains("DASHBOARD_TEST_PASSWORD"),
                "\(child.stderrText)")
        #expect(!child.stdoutLines.contains { $0.hasPrefix("http endpoints:") })
    }

    @Test("the dashboard, its events and /status need the password; probes and /metrics do not; the password reaches no log, metric or status record",
          .enabled(if: OperatorCommandTests.kcat != nil))
    func guarded() async throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try StreamManagerBinary.Child(
            ["run", "--bootstrap-servers", cluster.bootstrap, "--instance-id", "auth-1", "--http-port", "0",
             "--log-level", "debug", "--config", try Self.config()],
            environment: ["DASHBOARD_TEST_PASSWORD": Self.password])
        #expect(manager.waitForLine(prefix: "fleet dashboard: http://127.0.0.1:") != nil, "\(manager.stdoutLines)")
        let port = try #require(manager.httpPort)
        try cluster.produce([#"a:{"source_type":"generator","topic":"auth-data","connector":{"rate_per_second":5}}"#])
        _ = try cluster.waitStatus { $0["a"]?["state"] as? String == "RUNNING" }

        func basic(_ password: String) -> [String: String] {
            ["Authorization": "Basic " + Data("ops:\(password)".utf8).base64EncodedString()]
        }
        for path in ["/", "/events", "/api/fleet", "/api/sources/a", "/status"] {
            #expect(RawHTTP.request(port: port, path: path)?.status == 401, "\(path)")
            #expect(RawHTTP.request(port: port, path: path, headers: basic("wrong"))?.status == 401, "\(path)")
        }
        let fleet = try #require(RawHTTP.request(port: port, path: "/api/fleet", headers: basic(Self.password)))
        #expect(fleet.status == 200 && fleet.body.contains("\"source_id\":\"a\""), "\(fleet.body.prefix(500))")
        #expect(RawHTTP.request(port: port, path: "/", headers: basic(Self.password))?.status == 200)
        let metrics = try #require(RawHTTP.request(port: port, path: "/metrics"))
        #expect(metrics.status == 200 && !metrics.body.contains(Self.password))
        for path in ["/healthz", "/readyz"] { #expect(RawHTTP.request(port: port, path: path)?.status == 200, "\(path)") }

        #expect(manager.terminate() == 0)
        #expect(!manager.stderrText.contains(Self.password) && !manager.stdoutLines.joined().contains(Self.password))
        #expect(try !cluster.records("stream-status").joined().contains(Self.password))
    }
}
