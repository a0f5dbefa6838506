import Foundation
import TestSupport
import Testing

/// The commands that act on what runs without editing a file: `restart`, `history`,
/// `rollback`, and how `diff` says the fleet will take a change. Each runs as its own process
/// against a broker process with a running manager, as users run them.
@Suite("restart / history / rollback / diff impact against a broker process", .serialized)
struct ChangeCommandsTests {
    typealias Cluster = OperatorCommandTests.Cluster
    static let kcat = OperatorCommandTests.kcat

    static func generator(topic: String, rate: Int, extra: String = "") -> String {
        """
        sources:
          gen:
            source_type: generator
            topic: \(topic)
            rate_limit_per_minute: 0
            ingestion: {mode: real_time, polling_interval_seconds: 0.1, max_records_per_poll: 100}
            connector: {rate_per_second: \(rate), key_cardinality: 4}\(extra)
        """
    }

    /// The `seq` of every record of a generator's topic, in offset order per key's partition.
    static func seqs(_ cluster: Cluster, topic: String) throws -> [Int] {
        try cluster.records(topic).compactMap { line in
            let value = line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any])?["seq"] as? Int
        }
    }

    @Test("restart --wait: a new stream id, the same config hash, seq continues without a gap; a repeated request does nothing",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func restartKeepsSeq() throws {
        let cluster = try Cluster()
        let manager = try cluster.manager("restart-1")
        let file = try OperatorCommandTests.file(Self.generator(topic: "restart-data", rate: 200))
        #expect(try cluster.cli(["apply", "-f", file, "--wait", "--timeout", "60"]).status == 0)
        let before = try cluster.waitStatus { $0["gen"]?["state"] as? String == "RUNNING" }
        let oldStream = try #require(before["gen"]?["stream_id"] as? String)
        let hash = try #require(before["gen"]?["config_hash"] as? String)
        Thread.sleep(forTimeInterval: 1.5)  // the test: records flow before the restart

        let restarted = try cluster.cli(["restart", "gen", "--wait", "--timeout", "60", "--applied-by", "ops@test"])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(restarted.stdout.contains("restarted: gen runs stream"), "\(restarted.stdout)")
        let after = try cluster.waitStatus { ($0["gen"]?["stream_id"] as? String) != oldStream }
        let newStream = try #require(after["gen"]?["stream_id"] as? String)
        #expect(newStream != oldStream)
        #expect(after["gen"]?["config_hash"] as? String == hash, "a restart must not change the config")
        #expect(after["gen"]?["restarts"] as? Int == 0, "an operator's restart is not an automatic one")
        #expect((after["gen"]?["last_error"] as? String)?.contains("request of ops@test") == true, "\(after["gen"] ?? [:])")

        // The request is in the config topic under a reserved key; the source's own record is unchanged.
        let config = try cluster.records("stream-config")
        #expect(config.filter { $0.hasPrefix("gen\t") }.count == 1)
        #expect(config.contains { $0.hasPrefix("__restart:gen\t") && $0.contains(oldStream) })

        // A restarted manager reads that request again from the beginning: it names a stream
        // that no longer runs, so nothing restarts.
        #expect(manager.terminate() == 0)
        let second = try cluster.manager("restart-1")
        let resumed = try cluster.waitStatus { $0["gen"]?["state"] as? String == "RUNNING" }
        let resumedStream = try #require(resumed["gen"]?["stream_id"] as? String)
        Thread.sleep(forTimeInterval: 3)  // the test: time for a wrongly replayed request to act
        let settled = try cluster.waitStatus { $0["gen"] != nil }
        #expect(settled["gen"]?["stream_id"] as? String == resumedStream, "an old restart request was replayed")

        // Not running → refused, nothing written.
        let notRunning = try cluster.cli(["restart", "nope"])
        #expect(notRunning.status == 1 && notRunning.stderr.contains("no status for 'nope'"), "\(notRunning.stderr)")
        #expect(second.terminate() == 0)

        let seqs = try Self.seqs(cluster, topic: "restart-data")
        let unique = Set(seqs)
        let maxSeq = try #require(unique.max())
        #expect(unique.count == maxSeq + 1, "missing \(maxSeq + 1 - unique.count) of \(maxSeq + 1) across the restarts")
        #expect(maxSeq > 300)
    }

    @Test("history lists three applied versions with their headers and changes; rollback --wait restores the first",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func historyAndRollback() throws {
        let cluster = try Cluster()
        let manager = try cluster.manager("history-1")
        var hashes: [String] = []
        for (i, rate) in [10, 20, 30].enumerated() {
            let file = try OperatorCommandTests.file(Self.generator(topic: "history-data", rate: rate))
            let applied = try cluster.cli(["apply", "-f", file, "--wait", "--timeout", "60", "--applied-by", "dev\(i)@test",
                                           "--git-commit", "c0ffee\(i)"])
            #expect(applied.status == 0, "\(applied.stderr)")
            let status = try cluster.waitStatus { s in
                (s["gen"]?["state"] as? String) == "RUNNING" && !hashes.contains(s["gen"]?["config_hash"] as? String ?? "")
            }
            hashes.append(try #require(status["gen"]?["config_hash"] as? String))
        }

        let history = try cluster.cli(["history", "gen"])
        #expect(history.status == 0, "\(history.stderr)")
        let lines = history.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(history.stdout)")
        #expect(lines[0].contains("applied-by dev0@test") && lines[0].contains("git-commit c0ffee0"))
        #expect(lines[1] == "  + gen")
        #expect(lines[3] == "  ~ gen (connector.rate_per_second: 10 → 20)", "\(lines)")
        #expect(lines[4].contains("applied-by dev2@test") && lines[5] == "  ~ gen (connector.rate_per_second: 20 → 30)")

        let json = try cluster.cli(["history", "gen", "-o", "json"])
        let versions = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(versions.map { $0["config_hash"] as? String ?? "" } == hashes)
        let firstOffset = try #require(versions.first?["offset"] as? Int)

        let rolled = try cluster.cli(["rollback", "gen", "--to", "\(firstOffset)", "--wait", "--timeout", "60", "--applied-by", "oncall@test"])
        #expect(rolled.status == 0, "\(rolled.stderr)")
        #expect(rolled.stdout.contains("~ gen (connector.rate_per_second: 30 → 10)"), "\(rolled.stdout)")
        let restored = try cluster.waitStatus { $0["gen"]?["config_hash"] as? String == hashes[0] }
        #expect(restored["gen"]?["config_hash"] as? String == hashes[0])
        #expect(restored["gen"]?["state"] as? String == "RUNNING")

        let after = try cluster.cli(["history", "gen"]).stdout.split(separator: "\n").map(String.init)
        #expect(after.count == 8)
        #expect(after[6].contains("applied-by oncall@test (rollback to kafka:") && after[6].contains("git-commit c0ffee0"), "\(after)")

        // Again: nothing to do. An offset the topic does not hold: a clear refusal.
        #expect(try cluster.cli(["rollback", "gen", "--to", "\(firstOffset)"]).stdout.contains("nothing to roll back"))
        let missing = try cluster.cli(["rollback", "gen", "--to", "99999"])
        #expect(missing.status == 1 && missing.stderr.contains("no longer holds version 99999"), "\(missing.stderr)")
        #expect(try cluster.cli(["history", "nope"]).status == 1)
        #expect(manager.terminate() == 0)
    }

    @Test("diff and apply --dry-run say how the fleet takes each change and which replica runs the source",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func diffImpact() throws {
        let cluster = try Cluster()
        let manager = try cluster.manager("impact-1")
        let start = try OperatorCommandTests.file("""
            sources:
              hot: {source_type: generator, topic: t-hot, connector: {rate_per_second: 5}}
              swap: {source_type: generator, topic: t-swap, connector: {rate_per_second: 5}}
              off: {source_type: generator, topic: t-off, connector: {rate_per_second: 5}}
              gone: {source_type: generator, topic: t-gone, connector: {rate_per_second: 5}}
              paused: {source_type: generator, topic: t-paused, enabled: false, connector: {rate_per_second: 5}}
            """)
        #expect(try cluster.cli(["apply", "-f", start, "--wait", "--timeout", "60"]).status == 0)
        let next = try OperatorCommandTests.file("""
            sources:
              hot: {source_type: generator, topic: t-hot, priority: high, connector: {rate_per_second: 5}}
              swap: {source_type: generator, topic: t-swap, connector: {rate_per_second: 9}}
              off: {source_type: generator, topic: t-off, enabled: false, connector: {rate_per_second: 5}}
              paused: {source_type: generator, topic: t-paused, connector: {rate_per_second: 5}}
              fresh: {source_type: generator, topic: t-fresh, connector: {rate_per_second: 5}}
            """)
        let diff = try cluster.cli(["diff", "-f", next])
        #expect(diff.status == 2)
        let byID = Dictionary(uniqueKeysWithValues: diff.stdout.split(separator: "\n").map { line in
            (line.split(separator: " ")[1].split(separator: "\t")[0].description, String(line))
        })
        #expect(byID["hot"]?.hasSuffix("[hot; runs on impact-1]") == true, "\(diff.stdout)")
        #expect(byID["swap"]?.hasSuffix("[restart; runs on impact-1]") == true)
        #expect(byID["off"]?.hasSuffix("[disable; runs on impact-1]") == true)
        #expect(byID["paused"]?.hasSuffix("[enable; STOPPED on impact-1]") == true)
        #expect(byID["gone"]?.hasSuffix("[remove; runs on impact-1]") == true)
        #expect(byID["fresh"] == "+ fresh  [new]")
        let dry = try cluster.cli(["apply", "-f", next, "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("[hot; runs on impact-1]"), "\(dry.stdout)")
        #expect(manager.terminate() == 0)
    }
}
