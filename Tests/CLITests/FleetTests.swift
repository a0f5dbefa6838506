import Foundation
import Kafka
import TestSupport
import Testing

/// Replicas sharing sources through the config topic's consumer group: several `run` processes
/// against one broker process, scaled up, scaled down gracefully, and one killed.
@Suite("a fleet of managers sharing sources", .serialized)
struct FleetTests {
    typealias Cluster = OperatorCommandTests.Cluster
    static let sourceCount = 60

    /// Managers with a short session (6 s, heartbeat 500 ms) and a status refresh every second.
    static func fleetConfig() throws -> String {
        try OperatorCommandTests.file("""
            manager: {session_timeout_ms: 6000, status_interval_seconds: 1}
            """)
    }

    static func sourcesFile() throws -> String {
        var yaml = "sources:\n"
        for i in 0..<sourceCount {
            yaml += "  s\(i): {source_type: generator, topic: fleet-data, rate_limit_per_minute: 0, "
                + "ingestion: {mode: real_time, polling_interval_seconds: 0.2, max_records_per_poll: 50}, "
                + "connector: {rate_per_second: 5}}\n"
        }
        return try OperatorCommandTests.file(yaml)
    }

    /// The status board: sources (state, instance, stream) and managers (partitions, sources).
    struct Board {
        var sources: [String: (state: String, instance: String, stream: String)] = [:]
        var managers: [String: (partitions: [Int], sources: [String])] = [:]

        init(_ json: String) {
            guard let o = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return }
            for s in o["sources"] as? [[String: Any]] ?? [] {
                guard let id = s["source_id"] as? String else { continue }
                sources[id] = (s["state"] as? String ?? "", s["instance_id"] as? String ?? "", s["stream_id"] as? String ?? "")
            }
            for m in o["managers"] as? [[String: Any]] ?? [] {
                guard let id = m["instance_id"] as? String else { continue }
                managers[id] = (m["assigned_partitions"] as? [Int] ?? [], m["sources"] as? [String] ?? [])
            }
        }

        /// Every source RUNNING, each on one of `instances`, and the heartbeats of `instances`
        /// splitting the 12 partitions and the sources between them with no overlap.
        func settled(on instances: Set<String>) -> Bool {
            guard sources.count == FleetTests.sourceCount,
                  sources.values.allSatisfy({ $0.state == "RUNNING" && instances.contains($0.instance) }),
                  Set(managers.keys).isSuperset(of: instances) else { return false }
            guard instances.allSatisfy({ !managers[$0]!.partitions.isEmpty }) else { return false }  // everyone has a share
            let partitions = instances.flatMap { managers[$0]!.partitions }
            let owned = instances.flatMap { managers[$0]!.sources }
            return partitions.sorted() == Array(0..<12) && owned.count == FleetTests.sourceCount
                && Set(owned).count == FleetTests.sourceCount
                && sources.allSatisfy { id, s in managers[s.instance]!.sources.contains(id) }
        }
    }

    static func board(_ cluster: Cluster) throws -> Board {
        Board(try cluster.cli(["status", "-o", "json"]).stdout)
    }

    static func waitSettled(_ cluster: Cluster, on instances: Set<String>, timeout: TimeInterval) throws -> Board {
        let deadline = Date().addingTimeInterval(timeout)
        var last = Board("")
        while Date() < deadline {
            last = try board(cluster)
            if last.settled(on: instances) { return last }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return last
    }

    @Test("3 managers split 60 sources; a 4th takes some; its SIGTERM hands them back with no duplicate; a SIGKILLed one's sources move within the session timeout; no record lost",
          .enabled(if: OperatorCommandTests.kcat != nil, "kcat is not installed"))
    func fleet() throws {
        let cluster = try Cluster()
        let config = try Self.fleetConfig()
        var managers: [String: StreamManagerBinary.Child] = [:]
        for id in ["m1", "m2", "m3"] { managers[id] = try cluster.manager(id, extra: ["--config", config]) }
        let apply = try cluster.cli(["apply", "-f", try Self.sourcesFile(), "--wait", "--timeout", "90"])
        #expect(apply.status == 0, "\(apply.stderr)")

        // Three: every source runs exactly once; the heartbeats cover all 12 partitions.
        let three = try Self.waitSettled(cluster, on: ["m1", "m2", "m3"], timeout: 40)
        #expect(three.settled(on: ["m1", "m2", "m3"]), "\(three.managers)")
        for id in ["m1", "m2", "m3"] { #expect(!(three.managers[id]?.sources.isEmpty ?? true), "\(id) runs nothing") }

        // Scale up: m4 takes some sources; the others keep their streams (cooperative-sticky).
        managers["m4"] = try cluster.manager("m4", extra: ["--config", config])
        let four = try Self.waitSettled(cluster, on: ["m1", "m2", "m3", "m4"], timeout: 40)
        #expect(four.settled(on: ["m1", "m2", "m3", "m4"]), "\(four.managers)")
        let moved = four.sources.filter { $0.value.instance == "m4" }.map(\.key)
        #expect(!moved.isEmpty)
        let stayed = four.sources.filter { $0.value.instance != "m4" }
        #expect(stayed.allSatisfy { id, s in three.sources[id]?.stream == s.stream }, "a source that did not move was restarted")

        // Graceful scale-down: m4's sources go back, resuming exactly at the handed-over cursors.
        #expect(managers["m4"]!.terminate() == 0)
        let back = try Self.waitSettled(cluster, on: ["m1", "m2", "m3"], timeout: 40)
        #expect(back.settled(on: ["m1", "m2", "m3"]), "\(back.managers)")

        // A crash: m1's sources move to m2 and m3 once its session (6 s) expires.
        let killedAt = Date()
        _ = managers["m1"]!.terminate(signal: SIGKILL)
        let survivors = try Self.waitSettled(cluster, on: ["m2", "m3"], timeout: 30)
        #expect(survivors.settled(on: ["m2", "m3"]), "\(survivors.managers)")
        print("fleet: m1's sources running elsewhere \(String(format: "%.1f", Date().timeIntervalSince(killedAt))) s after SIGKILL")
        Thread.sleep(forTimeInterval: 1)  // the test: the survivors run m1's sources for a while before shutdown
        for id in ["m2", "m3"] { #expect(managers[id]!.terminate() == 0) }

        // Data: per source, the seqs form one run from 0 (nothing lost). Duplicates are only
        // allowed for m1's sources (re-sent after the crash, at least once), never for m4's.
        var seqs: [String: [Int]] = [:]
        for line in try cluster.records("fleet-data") {
            let value = line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
            guard let o = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any],
                  let id = o["source_id"] as? String, let seq = o["seq"] as? Int else { continue }
            seqs[id, default: []].append(seq)
        }
        #expect(seqs.count == Self.sourceCount)
        var duplicates = 0
        for (id, list) in seqs {
            let unique = Set(list)
            #expect(unique.count == (unique.max() ?? -1) + 1, "\(id) lost records")
            duplicates += list.count - unique.count
            if moved.contains(id) && back.sources[id]?.instance != "m1" {
                #expect(list.count == unique.count, "\(id) was handed over gracefully but has duplicates")
            }
        }
        print("fleet: \(seqs.values.map(\.count).reduce(0, +)) records, \(duplicates) duplicates (from the crash)")
    }
}
