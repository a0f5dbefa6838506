import Foundation
import TestSupport
import Testing

/// What a new user gets: the operator as its own process against a broker process, no manager config
/// (or only what a README example sets), sources written with kcat.
@Suite("the defaults lose nothing, and every loss is reported", .serialized)
struct DefaultsTests {
    static let kcat = OperatorCommandTests.kcat

    static func seqs(_ cluster: OperatorCommandTests.Cluster, _ topic: String) throws -> [Int] {
        try cluster.records(topic).compactMap { line -> Int? in
            let value = line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any])?["seq"] as? Int
        }
    }

    @Test("a burst under the defaults arrives complete: every record once, none dropped", .enabled(if: kcat != nil))
    func burst() async throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try cluster.manager("defaults-1")
        let total = 60_000
        try cluster.produce([#"burst:{"source_type":"generator","topic":"burst","rate_limit_per_minute":0,"ingestion":{"mode":"real_time","max_records_per_poll":1000},"connector":{"rate_per_second":0,"total_records":\#(total)}}"#])
        let done = try cluster.waitStatus(timeout: 120) { ($0["burst"]?["records_processed"] as? Int ?? 0) >= total }
        #expect(done["burst"]?["records_dropped"] as? Int == 0)
        #expect(try await eventually(timeout: .seconds(60)) { try Self.seqs(cluster, "burst").count >= total })
        let seqs = try Self.seqs(cluster, "burst")
        #expect(Set(seqs).count == total && seqs.count == total, "\(seqs.count) records, \(Set(seqs).count) distinct of \(total)")
        #expect(manager.terminate() == 0)
    }

    @Test("drops the user chose are never silent: DEGRADED, the strategy and count in last_error, records_dropped, the table's DROPPED",
          .enabled(if: kcat != nil))
    func dropsReported() throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try cluster.manager("drops-1", config: """
            queue_overflow_strategy: drop_oldest
            queue_max_size: 1000
            throttling: {max_send_rate: 200}
            manager: {status_interval_seconds: 1}
            """)
        try cluster.produce([#"flood:{"source_type":"generator","topic":"flood","rate_limit_per_minute":0,"ingestion":{"max_records_per_poll":1000},"connector":{"rate_per_second":0,"total_records":20000}}"#])
        let status = try cluster.waitStatus { ($0["flood"]?["records_dropped"] as? Int ?? 0) > 0 && $0["flood"]?["state"] as? String == "DEGRADED" }
        let flood = try #require(status["flood"])
        let dropped = try #require(flood["records_dropped"] as? Int)
        #expect(dropped > 10_000, "\(dropped)")
        #expect(flood["state"] as? String == "DEGRADED")
        let error = flood["last_error"] as? String ?? ""
        #expect(error.contains("drop_oldest") && error.contains("records dropped"), "\(error)")
        // The table's DROPPED column shows the count.
        // Columns are aligned (cells may hold spaces: "DEGRADED (dropping)"): read at the header's offset.
        let table = try cluster.cli(["status"]).stdout.split(separator: "\n").map(String.init)
        let header = try #require(table.first { $0.hasPrefix("SOURCE") })
        let row = try #require(table.first { $0.hasPrefix("flood ") })
        let offset = try #require(header.range(of: " DROPPED ")).lowerBound.utf16Offset(in: header) + 1
        let cell = row.dropFirst(offset).prefix { $0 != " " }
        #expect(Int(cell).map { $0 > 10_000 } == true, "\(row)")
        #expect(row.contains("DEGRADED (dropping)"), "the state shows its reason: \(row)")
        #expect(manager.terminate() == 0)
    }

    @Test("a followed file under the default cache_ttl_seconds: an appended line arrives within its polling interval",
          .enabled(if: kcat != nil))
    func followedFile() async throws {
        let cluster = try OperatorCommandTests.Cluster()
        let dir = NSTemporaryDirectory() + "follow-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = dir + "/events.jsonl"
        try "{\"n\":1}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let manager = try cluster.manager("follow-1", config: "manager: {source_access: {file_roots: [\"\(dir)\"]}}")
        try cluster.produce([#"tail:{"source_type":"file","topic":"tail","ingestion":{"polling_interval_seconds":1},"connector":{"path":"\#(file)","follow":true}}"#])
        #expect(try await eventually(timeout: .seconds(30)) { try cluster.records("tail").count == 1 })
        for n in 2...4 {
            let handle = try #require(FileHandle(forWritingAtPath: file))
            handle.seekToEndOfFile()
            handle.write(Data("{\"n\":\(n)}\n".utf8))
            try handle.close()
            let appended = Date()
            #expect(try await eventually(timeout: .seconds(10)) { try cluster.records("tail").count == n })
            let took = Date().timeIntervalSince(appended)
            #expect(took < 3, "line \(n) took \(took) s with a 1 s polling interval")
        }
        #expect(manager.terminate() == 0)
    }

    @Test("nasa_firms through the operator: the whole first response, nothing again, then one late detection",
          .enabled(if: kcat != nil && FileManager.default.fileExists(atPath: Self.firmsFixture)))
    func firms() async throws {
        let server = try await StaticFileServer.start()
        let csv = try String(contentsOfFile: Self.firmsFixture, encoding: .utf8)
        try server.write("firms.csv", csv)
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try cluster.manager("firms-1")
        // Polled every second, so the response cache (60 s by default: a repeat within it is
        // "nothing new") is off; the README's example polls every 600 s.
        try cluster.produce([#"fires:{"source_type":"nasa_firms","topic":"fires","rate_limit_per_minute":0,"cache_ttl_seconds":0,"ingestion":{"polling_interval_seconds":1},"connector":{"url":"\#(server.base)/firms.csv","day_range":2}}"#])
        #expect(try await eventually(timeout: .seconds(30)) { try cluster.records("fires").count >= 32 })
        try await Task.sleep(for: .seconds(3))  // the test: three more polls of the same response add nothing
        #expect(try cluster.records("fires").count == 32)
        let late = "39.5,-8.1,330.1,0.39,0.36,2026-07-24,1354,N20,VIIRS,n,2.0NRT,295.8,2.2,D\n"
        try server.write("firms.csv", csv.hasSuffix("\n") ? csv + late : csv + "\n" + late)
        #expect(try await eventually(timeout: .seconds(10)) { try cluster.records("fires").count == 33 })
        try await Task.sleep(for: .seconds(2))  // the test: two more polls add nothing again
        #expect(try cluster.records("fires").count == 33)
        #expect(manager.terminate() == 0)
    }

    static let firmsFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/fixtures/real-payloads/firms_area_viirs_noaa20_nrt.csv").standardized.path
}
