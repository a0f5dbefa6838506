import TestSupport
import Foundation
import Testing

/// The operator commands as users run them: the broker as its own process (so killing a manager
/// does not kill Kafka; `kafka-dev` or Tansu, as the test lane chooses), `run`, `apply`, `diff` and
/// `status` as separate processes.
@Suite("run / apply / diff / status against a broker process", .serialized)
struct OperatorCommandTests {
    static let kcat = EmbeddedClusterCommandTests.kcat

    /// A broker for one test (`TestBroker.kind`), and the commands users run against it.
    final class Cluster {
        let broker: TestBroker
        var bootstrap: String { broker.bootstrap }

        /// `outages: true` when the test takes the broker down and brings it back.
        init(outages: Bool = false) throws {
            broker = try TestBroker(outages: outages)
        }

        func manager(_ instance: String, extra: [String] = []) throws -> StreamManagerBinary.Child {
            let m = try StreamManagerBinary.Child(["run", "--bootstrap-servers", bootstrap, "--instance-id", instance,
                                                   "--http-port", "0", "--log-level", "error"] + extra)
            _ = m.waitForLine(prefix: "http endpoints: ")
            return m
        }

        func cli(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try StreamManagerBinary.run(args + ["--bootstrap-servers", bootstrap, "--log-level", "error"])
        }

        /// Every record of a topic (not compacted), as `key<TAB>value` lines.
        func records(_ topic: String) throws -> [String] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: kcat!)
            p.arguments = ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n", "-Z"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }

        /// Polls `status -o json` until `condition` holds for the parsed sources (by id).
        func waitStatus(timeout: TimeInterval = 40, _ condition: ([String: [String: Any]]) -> Bool) throws -> [String: [String: Any]] {
            let deadline = Date().addingTimeInterval(timeout)
            var last: [String: [String: Any]] = [:]
            while Date() < deadline {
                let r = try cli(["status", "-o", "json"])
                if r.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
                   let sources = object["sources"] as? [[String: Any]] {
                    last = Dictionary(uniqueKeysWithValues: sources.compactMap { s in (s["source_id"] as? String).map { ($0, s) } })
                    if condition(last) { return last }
                }
                Thread.sleep(forTimeInterval: 0.3)
            }
            return last
        }
    }

    static func file(_ yaml: String) throws -> String {
        let path = NSTemporaryDirectory() + "apply-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let twoSources = """
        sources:
          a: {source_type: generator, topic: data-a, connector: {rate_per_second: 20}}
          b: {source_type: generator, topic: data-b, connector: {rate_per_second: 20}}
        """

    @Test("apply → diff shows nothing → apply again publishes nothing → apply --prune --wait of a smaller file stops the dropped one",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func applyDiffPrune() throws {
        let cluster = try Cluster()
        let manager = try cluster.manager("cli-1")
        let full = try Self.file(Self.twoSources)
        let dry = try cluster.cli(["apply", "-f", full, "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("+ a") && dry.stdout.contains("+ b"))
        let applied = try cluster.cli(["apply", "-f", full, "--wait", "--timeout", "60", "--applied-by", "ci@test", "--git-commit", "abc123"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("+ a") && applied.stdout.contains("ready: a") && applied.stdout.contains("ready: b"))
        let diff = try cluster.cli(["diff", "-f", full])
        #expect(diff.status == 0 && diff.stdout.isEmpty, "\(diff.stdout)")
        let again = try cluster.cli(["apply", "-f", full])
        #expect(again.status == 0 && again.stdout.contains("nothing to apply"))

        // The records carry the headers; keys land by murmur2 (kcat reads them back by key).
        let config = try cluster.records("stream-config")
        #expect(config.filter { $0.hasPrefix("a\t") }.count == 1)

        let small = try Self.file("""
            sources:
              a: {source_type: generator, topic: data-a, connector: {rate_per_second: 20}}
            """)
        let smallDiff = try cluster.cli(["diff", "-f", small])
        #expect(smallDiff.status == 2 && smallDiff.stdout.contains("- b"))
        let pruned = try cluster.cli(["apply", "-f", small, "--prune", "--wait", "--timeout", "60"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        let after = try cluster.waitStatus { $0["b"] == nil && $0["a"]?["state"] as? String == "RUNNING" }
        #expect(after["b"] == nil)

        let table = try cluster.cli(["status"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("SOURCE") && table.stdout.contains("RUNNING") && table.stdout.contains("cli-1"))
        #expect(manager.terminate() == 0)
    }

    @Test("apply --wait fails with the error of a source whose connector cannot start", .enabled(if: kcat != nil))
    func applyWaitFails() throws {
        let cluster = try Cluster()
        // The operator lets sources reference the variable; it is just not set.
        let config = try Self.file("manager: {source_access: {env: [APPLY_TEST_*]}}\n")
        let manager = try cluster.manager("cli-2", extra: ["--config", config])
        let broken = try Self.file("""
            sources:
              fires: {source_type: nasa_firms, topic: fires, connector: {map_key: "${APPLY_TEST_UNSET_KEY}", area: world}}
            """)
        let result = try cluster.cli(["apply", "-f", broken, "--wait", "--timeout", "60"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("fires") && result.stderr.contains("APPLY_TEST_UNSET_KEY"), "\(result.stderr)")
        #expect(manager.terminate() == 0)
    }

    @Test("SIGKILL then restart: the same streams come back without a stop, resume from committed cursors, lose no record",
          .enabled(if: kcat != nil))
    func crashRecovery() throws {
        let cluster = try Cluster()
        let file = try Self.file("""
            sources:
              gen:
                source_type: generator
                topic: crash-data
                rate_limit_per_minute: 0
                ingestion: {mode: real_time, polling_interval_seconds: 0.1, max_records_per_poll: 100}
                connector: {rate_per_second: 200, key_cardinality: 4}
            """)
        var manager = try cluster.manager("crash-1")
        #expect(try cluster.cli(["apply", "-f", file, "--wait", "--timeout", "60"]).status == 0)
        Thread.sleep(forTimeInterval: 2.5)  // the test: a run long enough to commit cursors (about once a second) before the crash
        let before = try cluster.waitStatus { $0["gen"]?["stream_id"] is String }
        let firstStream = try #require(before["gen"]?["stream_id"] as? String)
        #expect(manager.terminate(signal: SIGKILL) != 0)
        manager = try cluster.manager("crash-1")
        let resumed = try cluster.waitStatus { s in
            (s["gen"]?["state"] as? String) == "RUNNING" && (s["gen"]?["stream_id"] as? String) != firstStream
        }
        #expect((resumed["gen"]?["stream_id"] as? String) != firstStream)
        Thread.sleep(forTimeInterval: 2.5)  // the test: the resumed run produces for a while before shutdown
        #expect(manager.terminate() == 0)

        // No record lost: the seqs form one unbroken run from 0; duplicates (re-sent after the
        // crash, at least once) are counted.
        var seqs: [Int] = []
        for line in try cluster.records("crash-data") {
            let value = line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
            if let o = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any], let seq = o["seq"] as? Int {
                seqs.append(seq)
            }
        }
        let unique = Set(seqs)
        let maxSeq = try #require(unique.max())
        #expect(unique.count == maxSeq + 1, "missing \(maxSeq + 1 - unique.count) of \(maxSeq + 1)")
        #expect(maxSeq > 400)  // both runs produced
        print("crash recovery: \(seqs.count) records delivered, \(unique.count) distinct, \(seqs.count - unique.count) duplicates")

        // No stop/start storm: between the first RUNNING and the final shutdown, no STOPPED.
        let states = try cluster.records("stream-status").filter { $0.hasPrefix("source:gen\t") }.compactMap { line -> String? in
            let value = String(line.dropFirst("source:gen\t".count))
            return (try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any])?["state"] as? String
        }
        let stops = states.enumerated().filter { $0.element == "STOPPED" }.map(\.offset)
        #expect(stops == [states.count - 1], "states: \(states)")
    }

    @Test("SIGTERM: final statuses published, heartbeat tombstoned, exit 0", .enabled(if: kcat != nil))
    func gracefulShutdown() throws {
        let cluster = try Cluster()
        let manager = try cluster.manager("term-1")
        let file = try Self.file(Self.twoSources)
        #expect(try cluster.cli(["apply", "-f", file, "--wait", "--timeout", "60"]).status == 0)
        Thread.sleep(forTimeInterval: 1)  // the test: records in flight when SIGTERM arrives
        #expect(manager.terminate() == 0)
        let status = try cluster.records("stream-status")
        let last = Dictionary(status.map { line -> (String, String) in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { _, new in new })
        #expect(last["manager:term-1"] == "NULL", "heartbeat not tombstoned")  // -Z prints a null value as NULL
        for id in ["a", "b"] {
            let o = try #require(try JSONSerialization.jsonObject(with: Data((last["source:\(id)"] ?? "").utf8)) as? [String: Any])
            #expect(o["state"] as? String == "STOPPED")
            #expect((o["records_processed"] as? Int ?? 0) > 0)
        }
    }
}
