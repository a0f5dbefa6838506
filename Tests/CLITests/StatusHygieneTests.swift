import Foundation
import TestSupport
import Testing

/// What one careless or hostile config record can leave behind, seen from outside the operator:
/// a refused edit must not stop a source after a crash, gone sources leave no status or metric
/// series, and keys with control characters cannot forge log lines or table rows.
@Suite("status and metrics hygiene, operator as its own process", .serialized)
struct StatusHygieneTests {
    static let kcat = OperatorCommandTests.kcat
    static let generator = #"{"source_type":"generator","topic":"hygiene","rate_limit_per_minute":0,"ingestion":{"polling_interval_seconds":0.2},"connector":{"rate_per_second":20}}"#

    @Test("garbage as the newest record of a running source: after SIGKILL and restart it still runs its last accepted config, and says so",
          .enabled(if: kcat != nil))
    func lastKnownGood() throws {
        let cluster = try OperatorCommandTests.Cluster()
        var manager = try cluster.manager("lkg-1")
        try cluster.produce(["keep:" + Self.generator])
        let running = try cluster.waitStatus { $0["keep"]?["state"] as? String == "RUNNING" }
        let goodHash = try #require(running["keep"]?["config_hash"] as? String)
        try cluster.produce([#"keep:{"source_type":"generator","topic":"#])
        _ = try cluster.waitStatus { $0["keep"]?["rejected"] is [String: Any] }
        Thread.sleep(forTimeInterval: 1.5)  // the test: the rejection is committed to the offsets topic before the crash
        #expect(manager.terminate(signal: SIGKILL) != 0)

        manager = try cluster.manager("lkg-1")
        let after = try cluster.waitStatus { s in
            s["keep"]?["state"] as? String == "RUNNING" && s["keep"]?["rejected"] is [String: Any]
                && (s["keep"]?["warnings"] as? [String] ?? []).contains { $0.contains("last accepted") }
        }
        let keep = try #require(after["keep"])
        #expect(keep["state"] as? String == "RUNNING", "\(keep)")
        #expect(keep["config_hash"] as? String == goodHash)
        let refusal = (keep["rejected"] as? [String: Any])?["error"] as? String ?? ""
        #expect(refusal.contains("line"), "\(refusal)")
        #expect((keep["warnings"] as? [String] ?? []).contains { $0.contains("last accepted") }, "\(String(describing: keep["warnings"]))")
        #expect(manager.terminate() == 0)
    }

    @Test("a tombstone clears a REJECTED source's status; a source removed while no manager ran loses its status at the next start",
          .enabled(if: kcat != nil))
    func goneSourcesLeaveNoStatus() throws {
        let cluster = try OperatorCommandTests.Cluster()
        var manager = try cluster.manager("gone-1")
        try cluster.produce([#"bad:{"source_type":"generator","topic":"#, "gone:" + Self.generator])
        _ = try cluster.waitStatus { $0["bad"]?["state"] as? String == "REJECTED" && $0["gone"]?["state"] as? String == "RUNNING" }
        try cluster.tombstone("bad")
        let cleared = try cluster.waitStatus { $0["bad"] == nil }
        #expect(cleared["bad"] == nil, "REJECTED status outlived its tombstone")

        #expect(manager.terminate() == 0)  // gone: STOPPED
        try cluster.tombstone("gone")      // removed while no manager runs
        manager = try cluster.manager("gone-1")
        let swept = try cluster.waitStatus(timeout: 30) { $0["gone"] == nil }
        #expect(swept["gone"] == nil, "the removed source's STOPPED status stayed: \(swept["gone"] ?? [:])")
        #expect(manager.terminate() == 0)
    }

    @Test("file mode (one replica, no fleet): a source removed from the file while no manager ran loses its status at the next start",
          .enabled(if: kcat != nil))
    func goneFromFile() throws {
        let cluster = try OperatorCommandTests.Cluster()
        let file = try OperatorCommandTests.file("""
            manager: {status_interval_seconds: 1}
            sources:
              stays: {source_type: generator, topic: hygiene, rate_limit_per_minute: 0}
              leaves: {source_type: generator, topic: hygiene, rate_limit_per_minute: 0}
            """)
        var manager = try cluster.manager("file-1", extra: ["--source", "file", "--config", file])
        _ = try cluster.waitStatus { $0["stays"]?["state"] as? String == "RUNNING" && $0["leaves"]?["state"] as? String == "RUNNING" }
        #expect(manager.terminate() == 0)
        try """
            manager: {status_interval_seconds: 1}
            sources:
              stays: {source_type: generator, topic: hygiene, rate_limit_per_minute: 0}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        manager = try cluster.manager("file-1", extra: ["--source", "file", "--config", file])
        let swept = try cluster.waitStatus(timeout: 30) { $0["leaves"] == nil && $0["stays"]?["state"] as? String == "RUNNING" }
        #expect(swept["leaves"] == nil, "the removed source's status stayed: \(swept["leaves"] ?? [:])")
        #expect(manager.terminate() == 0)
    }

    @Test("a removed source's metric series leave /metrics", .enabled(if: kcat != nil))
    func metricSeries() async throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try cluster.manager("series-1")
        let port = try #require(manager.httpPort)
        try cluster.produce(["brief:" + Self.generator, "stays:" + Self.generator])
        func series(_ id: String) -> Int {
            let text = RawHTTP.request(port: port, path: "/metrics")?.body ?? ""
            return text.split(separator: "\n").filter { $0.contains("source=\"\(id)\"") }.count
        }
        #expect(await eventually(timeout: .seconds(20)) { series("brief") >= 5 && series("stays") >= 5 })
        try cluster.tombstone("brief")
        #expect(await eventually(timeout: .seconds(20)) { series("brief") == 0 }, "\(series("brief")) series left for a removed source")
        #expect(series("stays") >= 5)
        #expect(manager.terminate() == 0)
    }

    @Test("a key with CR/LF and escape sequences is refused and shown escaped in the text log and the status table",
          .enabled(if: kcat != nil))
    func controlCharacters() async throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try cluster.manager("escape-1", extra: ["--log-level", "warning"])
        let key = "evil\r\nFORGED LOG LINE \u{1B}[31mred"
        let value = NSTemporaryDirectory() + "escape-\(UUID().uuidString).json"
        try Self.generator.write(toFile: value, atomically: true, encoding: .utf8)
        try cluster.produce(key: key, valueFile: value)
        let status = try cluster.waitStatus { $0[key]?["state"] as? String == "REJECTED" }
        #expect(status[key]?["state"] as? String == "REJECTED")
        #expect(await eventually(timeout: .seconds(10)) { manager.stderrText.contains("evil\\r\\nFORGED") })
        let logLines = manager.stderrText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!logLines.contains { $0.hasPrefix("FORGED") }, "a log line was forged")
        #expect(!manager.stderrText.contains("\u{1B}"))
        let table = try cluster.cli(["status"])
        #expect(table.stdout.contains("evil\\r\\nFORGED LOG LINE \\u{1b}[31mred"), "\(table.stdout)")
        #expect(!table.stdout.contains("\u{1B}") && !table.stdout.contains("\r"))
        #expect(manager.terminate() == 0)
    }
}
