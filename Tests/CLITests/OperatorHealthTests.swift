import Foundation
import Kafka
import TestSupport
import Testing

/// What the operator's health says from outside: `/readyz` against a broker that goes away (every
/// connection cut and new ones refused, then back with its data), and the HTTP port's
/// manners with probes and with clients that never finish a request.
@Suite("operator health as its own process", .serialized)
struct OperatorHealthTests {
    static let kcat = OperatorCommandTests.kcat

    @Test("brokers gone: streams DEGRADED with the reason, /readyz 503 after broker_unavailable_seconds, /healthz still 200; back: RUNNING, ready, no record lost",
          .enabled(if: kcat != nil))
    func brokerOutage() async throws {
        let cluster = try OperatorCommandTests.Cluster(outages: true)
        let manager = try cluster.manager("outage-1", config: """
            manager: {broker_unavailable_seconds: 3, status_interval_seconds: 1}
            """)
        let port = try #require(manager.httpPort)
        try cluster.produce([#"steady:{"source_type":"generator","topic":"outage-data","rate_limit_per_minute":0,"ingestion":{"polling_interval_seconds":0.1},"connector":{"rate_per_second":50}}"#])
        _ = try cluster.waitStatus { $0["steady"]?["state"] as? String == "RUNNING" }
        #expect(await eventually(timeout: .seconds(10)) { RawHTTP.request(port: port, path: "/readyz")?.status == 200 })

        cluster.broker.takeDown()
        #expect(await eventually(timeout: .seconds(20)) { RawHTTP.request(port: port, path: "/readyz")?.status == 503 },
                "readyz stayed ready with the brokers gone")
        #expect(RawHTTP.request(port: port, method: "HEAD", path: "/readyz")?.status == 503)
        #expect(RawHTTP.request(port: port, path: "/healthz")?.status == 200)  // liveness never depends on Kafka
        try await Task.sleep(for: .seconds(2))  // the test: an outage long enough for records to queue
        cluster.broker.bringBack()
        #expect(await eventually(timeout: .seconds(30)) { RawHTTP.request(port: port, path: "/readyz")?.status == 200 })
        // DEGRADED with the reason reached the status topic once it could, then RUNNING again.
        let states = try cluster.waitStatus(timeout: 30) { $0["steady"]?["state"] as? String == "RUNNING" }
        #expect(states["steady"]?["state"] as? String == "RUNNING")
        let history = try cluster.detailedRecords("stream-status").filter { $0.key == "source:steady" }.compactMap(\.json)
        let degraded = history.first { $0["state"] as? String == "DEGRADED" }
        #expect(degraded != nil, "no DEGRADED record: \(history.compactMap { $0["state"] as? String })")
        let reason = degraded?["last_error"] as? String ?? ""
        #expect(reason.contains("unreachable"), "\(reason)")
        try await Task.sleep(for: .seconds(1.5))  // the test: records produced after the recovery, in flight at shutdown
        #expect(manager.terminate() == 0)

        // Nothing queued during the outage was lost.
        let seqs = try cluster.records("outage-data").compactMap { line -> Int? in
            let value = line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any])?["seq"] as? Int
        }
        let unique = Set(seqs)
        let top = try #require(unique.max())
        #expect(unique.count == top + 1, "missing \(top + 1 - unique.count) of \(top + 1) records")
    }

    @Test("a broker that never answers CreateTopics: the manager is ready within seconds and names the topics it auto-created")
    func silentCreateTopics() async throws {
        // librdkafka's mock cluster in this process, without the operator's topics: it does not
        // answer CreateTopics, so the manager falls back to the broker's auto-creation.
        let cluster = try EmbeddedKafkaCluster()
        let began = ContinuousClock.now
        let manager = try StreamManagerBinary.Child(["run", "--bootstrap-servers", cluster.bootstrapServers, "--instance-id", "silent-1",
                                                     "--http-port", "0", "--log-level", "warning"])
        _ = manager.waitForLine(prefix: "http endpoints: ")
        let port = try #require(manager.httpPort)
        let ready = await eventually(timeout: .seconds(30), every: .milliseconds(20)) {
            RawHTTP.request(port: port, path: "/readyz")?.status == 200
        }
        let elapsed = ContinuousClock.now - began
        #expect(ready)
        // One short CreateTopics timeout for all three topics at once, not 5 s per topic; about
        // 2 s here including the process start (a loaded machine gets some slack).
        #expect(elapsed < .seconds(4), "ready after \(elapsed)")
        let warning = manager.stderrText.split(separator: "\n").first { $0.contains("auto-created") }.map(String.init) ?? ""
        for topic in ["stream-config", "stream-status", "stream-offsets"] {
            #expect(warning.contains(topic), "\(manager.stderrText)")
        }
        print("silent CreateTopics: ready after \(elapsed)")
        let exit = manager.terminate()
        #expect(exit == 0, "exit \(exit.map(String.init) ?? "none"): \(manager.stderrText.suffix(6000))")
    }

    @Test("HEAD on the health endpoints; idle and half-sent connections are closed", .enabled(if: kcat != nil))
    func httpManners() async throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try cluster.manager("http-1")
        let port = try #require(manager.httpPort)
        let head = try #require(RawHTTP.request(port: port, method: "HEAD", path: "/healthz"))
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(await eventually(timeout: .seconds(10)) { RawHTTP.request(port: port, method: "HEAD", path: "/readyz")?.status == 200 })
        let idle = RawHTTP.secondsUntilClosed(port: port, sending: "", limit: 40)
        #expect(idle != nil && idle! < 30, "an idle connection stayed open \(idle.map { "\($0) s" } ?? "over 40 s")")
        let halfSent = RawHTTP.secondsUntilClosed(port: port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\n", limit: 40)
        #expect(halfSent != nil && halfSent! < 30, "a half-sent request stayed open")
        #expect(RawHTTP.request(port: port, path: "/healthz")?.status == 200)  // still serving
        #expect(manager.terminate() == 0)
    }
}
