import Foundation
import TestSupport
import Testing

/// `stream-manager offsets` as users run it: the commands as subprocesses against a broker process
/// with a manager running a generator, whose records' `seq` numbers show where it resumed.
@Suite("offsets list / get / set / reset against a running manager", .serialized)
struct OffsetsCommandTests {
    typealias Cluster = OperatorCommandTests.Cluster
    static let kcat = OperatorCommandTests.kcat
    static let topic = "offsets-data"

    /// The generator's config record; `enabled: false` pauses it.
    static func generator(enabled: Bool = true) -> String {
        #"gen:{"source_type":"generator","topic":"\#(topic)","enabled":\#(enabled),"rate_limit_per_minute":0,"#
            + #""ingestion":{"mode":"real_time","polling_interval_seconds":0.1,"max_records_per_poll":100},"#
            + #""connector":{"rate_per_second":50,"key_cardinality":4}}"#
    }

    /// Every `seq` the generator has written to its topic, in topic order. Read only while the
    /// source is stopped: reading to the end of a topic still being written may not end (Tansu).
    static func seqs(_ cluster: Cluster) throws -> [Int] {
        try cluster.records(topic).compactMap { line in
            let value = line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any])?["seq"] as? Int
        }
    }

    /// Polls `offsets get gen` until its cursor reaches `at` (records up to there are delivered);
    /// returns the last cursor seen.
    @discardableResult
    static func waitCursor(_ cluster: Cluster, atLeast at: Int, timeout: TimeInterval = 40) throws -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        var last: Int?
        while Date() < deadline {
            last = try record(cluster)?["cursor"] as? Int
            if let last, last >= at { return last }
            Thread.sleep(forTimeInterval: 0.3)
        }
        return last
    }

    static func state(_ cluster: Cluster, _ state: String) throws -> [String: Any]? {
        try cluster.waitStatus { $0["gen"]?["state"] as? String == state }["gen"]
    }

    /// `offsets get gen` parsed; nil when it fails.
    static func record(_ cluster: Cluster) throws -> [String: Any]? {
        let r = try cluster.cli(["offsets", "get", "gen"])
        guard r.status == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    }

    /// How many records the offsets topic holds for `gen` (every write, not compacted).
    static func offsetsWrites(_ cluster: Cluster) throws -> Int {
        try cluster.records("stream-offsets").filter { $0.hasPrefix("gen\t") }.count
    }

    /// The seqs in `all` that were not in `before`, counting repeats (the topic is read across
    /// partitions, so new records are not simply the last ones).
    static func added(_ all: [Int], since before: [Int]) -> [Int] {
        var remaining = Dictionary(before.map { ($0, 1) }, uniquingKeysWith: +)
        return all.filter { seq in
            guard let n = remaining[seq], n > 0 else { return true }
            remaining[seq] = n - 1
            return false
        }
    }

    @Test("while the source runs: list and get show its cursor; set and reset are refused with exit 1 and say why",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func readWhileRunning() throws {
        let cluster = try Cluster()
        let manager = try cluster.manager("off-1")
        try cluster.produce([Self.generator()])
        let running = try #require(try Self.state(cluster, "RUNNING"))
        try #require((try Self.waitCursor(cluster, atLeast: 100) ?? 0) >= 100)

        let table = try cluster.cli(["offsets", "list"])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("SOURCE") == true && lines.first?.contains("CURSOR") == true, "\(table.stdout)")
        let row = try #require(lines.first { $0.hasPrefix("gen ") }, "\(table.stdout)")
        let hash = try #require(running["config_hash"] as? String)
        #expect(row.contains(String(hash.prefix(12))) && row.contains(running["stream_id"] as? String ?? "?"), "\(row)")

        let json = try cluster.cli(["offsets", "list", "-o", "json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], "\(json.stdout)")
        let entry = try #require(entries.first { $0["source_id"] as? String == "gen" })
        let cursor = try #require(entry["cursor"] as? Int, "the generator's cursor is shown as a number: \(entry)")
        #expect(cursor >= 100)
        #expect(entry["config_hash"] as? String == hash && entry["stream_id"] as? String == running["stream_id"] as? String)
        #expect(entry["updated_at"] is String && entry["config_version"] is String)

        let got = try #require(try Self.record(cluster))
        #expect((got["cursor"] as? Int ?? -1) >= cursor)
        #expect((got["config"] as? [String: Any])?["source_type"] as? String == "generator", "\(got)")

        let set = try cluster.cli(["offsets", "set", "gen", "5000"])
        #expect(set.status == 1)
        #expect(set.stderr.contains("offsets set: source 'gen' is running (RUNNING on instance off-1); pause it first with 'enabled: false'"),
                "\(set.stderr)")
        let reset = try cluster.cli(["offsets", "reset", "gen"])
        #expect(reset.status == 1)
        #expect(reset.stderr.contains("offsets reset: source 'gen' is running (RUNNING on instance off-1)"), "\(reset.stderr)")
        let missing = try cluster.cli(["offsets", "get", "nope"])
        #expect(missing.status == 1 && missing.stderr.contains("offsets get: no committed cursor for 'nope'"), "\(missing.stderr)")
        let other = try cluster.cli(["offsets", "list", "-o", "json", "--offsets-topic", "no-such-offsets"])
        #expect(other.status == 0 && other.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(other.stdout)")
        // The topic comes from --config's manager.offsets_topic; --offsets-topic wins over it.
        let config = try OperatorCommandTests.file("manager: {offsets_topic: no-such-offsets}\n")
        let fromFile = try cluster.cli(["offsets", "list", "-o", "json", "--config", config])
        #expect(fromFile.status == 0 && fromFile.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(fromFile.stdout)")
        let flag = try cluster.cli(["offsets", "list", "--config", config, "--offsets-topic", "stream-offsets"])
        #expect(flag.status == 0 && flag.stdout.contains("\ngen "), "\(flag.stdout)")
        #expect(manager.terminate() == 0)

        // Neither refused edit wrote anything: no record of the offsets topic holds 5000 or is a
        // tombstone (read once nothing writes it any more).
        let values = try cluster.records("stream-offsets").filter { $0.hasPrefix("gen\t") }.map { $0.dropFirst(4) }
        #expect(!values.isEmpty && !values.contains { $0 == "NULL" || $0.contains(#""cursor":"5000""#) }, "\(values)")
    }

    @Test("pause → resume continues exactly; pause → set 5000 → resume starts at 5000; pause → reset → resume starts at 0; bad cursors write nothing",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func pauseEditResume() throws {
        let cluster = try Cluster()
        let manager = try cluster.manager("off-2")
        try cluster.produce([Self.generator()])
        _ = try Self.state(cluster, "RUNNING")
        try #require((try Self.waitCursor(cluster, atLeast: 100) ?? 0) >= 100)

        // Pause: the final cursor is committed before the status says STOPPED.
        try cluster.produce([Self.generator(enabled: false)])
        let pausedStatus = try Self.state(cluster, "STOPPED")
        #expect(pausedStatus?["reason"] as? String == "disabled", "\(pausedStatus ?? [:])")
        let table = try cluster.cli(["status"])
        #expect(table.stdout.contains("STOPPED (disabled)"), "\(table.stdout)")
        let firstRun = try Self.seqs(cluster)
        #expect(firstRun.count == Set(firstRun).count && Set(firstRun) == Set(0..<firstRun.count), "first run not 0..<n")
        let paused = try #require(try Self.record(cluster)?["cursor"] as? Int)
        #expect(paused == (firstRun.max() ?? -1) + 1, "cursor \(paused) after seqs up to \(firstRun.max() ?? -1)")

        // Refused cursors: clear messages, nothing written.
        let writes = try Self.offsetsWrites(cluster)
        let object = try cluster.cli(["offsets", "set", "gen", #"{"file":1}"#])
        #expect(object.status == 1)
        #expect(object.stderr.contains("offsets set: invalid cursor for 'gen' (generator): got an object; expected a generator cursor: the next sequence number `seq` to emit, a non-negative integer"),
                "\(object.stderr)")
        let negative = try cluster.cli(["offsets", "set", "gen", "-3"])
        #expect(negative.status == 1 && negative.stderr.contains("invalid cursor for 'gen' (generator): got -3; expected"), "\(negative.stderr)")
        let notJSON = try cluster.cli(["offsets", "set", "gen", "{oops"])
        #expect(notJSON.status == 1 && notJSON.stderr.contains("'{oops' is not JSON"), "\(notJSON.stderr)")
        let unknown = try cluster.cli(["offsets", "set", "nope", "1"])
        #expect(unknown.status == 1 && unknown.stderr.contains("source 'nope' is in neither the offsets topic nor the config topic"),
                "\(unknown.stderr)")
        #expect(try Self.offsetsWrites(cluster) == writes)
        #expect(try Self.record(cluster)?["cursor"] as? Int == paused)

        // Resume without an edit: exactly where it stopped, no gap, no duplicate.
        try cluster.produce([Self.generator()])
        _ = try Self.state(cluster, "RUNNING")
        try #require((try Self.waitCursor(cluster, atLeast: paused + 100) ?? 0) >= paused + 100)
        try cluster.produce([Self.generator(enabled: false)])
        _ = try Self.state(cluster, "STOPPED")
        let secondRun = try Self.seqs(cluster)
        #expect(secondRun.count == Set(secondRun).count, "duplicates across the pause")
        #expect(Set(secondRun) == Set(0..<secondRun.count), "a gap across the pause")
        let stopped = try #require(try Self.record(cluster)?["cursor"] as? Int)
        #expect(stopped == secondRun.count)
        try #require(stopped < 5000, "the test needs the generator below 5000 here")

        // Set, then resume: the next records start at seq 5000.
        let set = try cluster.cli(["offsets", "set", "gen", "5000"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("gen: cursor \(stopped) → 5000"), "\(set.stdout)")
        let edited = try #require(try Self.record(cluster))
        #expect(edited["cursor"] as? Int == 5000)
        #expect((edited["config"] as? [String: Any])?["source_type"] as? String == "generator", "the record keeps its config")
        try cluster.produce([Self.generator()])
        _ = try Self.state(cluster, "RUNNING")
        try #require((try Self.waitCursor(cluster, atLeast: 5050) ?? 0) >= 5050)
        try cluster.produce([Self.generator(enabled: false)])
        _ = try Self.state(cluster, "STOPPED")
        let thirdAll = try Self.seqs(cluster)
        let third = Self.added(thirdAll, since: secondRun)
        #expect(third.count == Set(third).count && Set(third) == Set(5000..<(5000 + third.count)),
                "after set 5000: \(third.sorted().prefix(5))…")

        // Reset, then resume: it begins as new, at seq 0.
        let beforeReset = try Self.seqs(cluster)
        let reset = try cluster.cli(["offsets", "reset", "gen"])
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(reset.stdout.contains("forgotten; the next start begins as new"), "\(reset.stdout)")
        let gone = try cluster.cli(["offsets", "get", "gen"])
        #expect(gone.status == 1 && gone.stderr.contains("no committed cursor for 'gen'"), "\(gone.stderr)")
        try cluster.produce([Self.generator()])
        _ = try Self.state(cluster, "RUNNING")
        try #require((try Self.waitCursor(cluster, atLeast: 50) ?? 0) >= 50)
        try cluster.produce([Self.generator(enabled: false)])
        _ = try Self.state(cluster, "STOPPED")
        let fourth = Self.added(try Self.seqs(cluster), since: beforeReset)
        #expect(fourth.count == Set(fourth).count && Set(fourth) == Set(0..<fourth.count), "after reset: \(fourth.sorted().prefix(5))…")
        #expect(manager.terminate() == 0)
    }
}
