import Foundation
import TestSupport
import Testing

/// Level-triggered reconciling with the operator as its own process: a burst of edits to one
/// source collapses to its newest version, and one source's restarts never hold up another's start.
@Suite("reconciler: coalescing and independent sources", .serialized)
struct CoalescingTests {
    static let kcat = OperatorCommandTests.kcat

    @Test("60 restart-class edits in a burst, then a new source: the new one runs within a second, the edited one restarts at most twice and ends on the newest version",
          .enabled(if: kcat != nil))
    func burst() async throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try cluster.manager("coalesce-1")
        let base = #"{"source_type":"generator","topic":"burst","rate_limit_per_minute":0,"ingestion":{"polling_interval_seconds":0.2}"#
        try cluster.produce(["hot:" + base + #","connector":{"rate_per_second":20}}"#])
        let first = try cluster.waitStatus { $0["hot"]?["state"] as? String == "RUNNING" }
        let firstStream = try #require(first["hot"]?["stream_id"] as? String)

        // 60 edits that each need a make-before-break restart (connector settings), then `late`.
        var lines = (1...60).map { "hot:" + base + #","connector":{"rate_per_second":\#(20 + $0)}}"# }
        lines.append(#"late:{"source_type":"generator","topic":"late","rate_limit_per_minute":0}"#)
        try cluster.produce(lines)

        let done = try cluster.waitStatus(timeout: 30) { s in
            s["late"]?["state"] as? String == "RUNNING" && s["hot"]?["state"] as? String == "RUNNING"
                && (s["hot"]?["stream_id"] as? String) != firstStream
        }
        #expect(done["late"]?["state"] as? String == "RUNNING")

        let config = try cluster.detailedRecords("stream-config")
        let lateRecord = try #require(config.last { $0.key == "late" })
        let newestHot = try #require(config.last { $0.key == "hot" })
        // The newest version wins: `hot` ends on the last edit (give the second restart time to finish).
        #expect(try await eventually(timeout: .seconds(15)) {
            try cluster.waitStatus(timeout: 1) { _ in true }["hot"]?["config_version"] as? String
                == "kafka:\(newestHot.partition):\(newestHot.offset)"
        })
        try await Task.sleep(for: .seconds(1))  // the test: no further restart follows the newest version
        let status = try cluster.detailedRecords("stream-status")
        let lateRunning = try #require(status.first { $0.key == "source:late" && $0.json?["state"] as? String == "RUNNING" })
        let delay = lateRunning.timestampMilliseconds - lateRecord.timestampMilliseconds
        print("late: RUNNING \(delay) ms after its config record")
        #expect(delay < 1_000, "late started \(delay) ms after its record")

        // At most two restarts for the whole burst: the one under way when it arrived, and one to
        // the newest version. Counted as the stream ids `hot` ran under after the first.
        let streams = status.filter { $0.key == "source:hot" }.compactMap { $0.json?["stream_id"] as? String }
        var distinct: [String] = []
        for id in streams where distinct.last != id && !distinct.contains(id) { distinct.append(id) }
        print("hot ran as \(distinct.count) streams: \(distinct)")
        #expect(distinct.count <= 3, "\(distinct.count - 1) restarts for one burst")
        #expect(manager.terminate() == 0)
    }
}
