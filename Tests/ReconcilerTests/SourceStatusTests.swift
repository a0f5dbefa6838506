import Foundation
import Reconciler
import StreamConfig
import Testing

@Suite("status topic: source records")
struct SourceStatusTests {
    @Test("a source record has exactly the README's fields, nulls written out, RFC 3339 UTC milliseconds")
    func exactFields() throws {
        var status = SourceStatus(sourceID: "noaa", state: .running, instanceID: "pod-1",
                                  at: Date(timeIntervalSince1970: 1_795_966_860.123))
        status.describe(DesiredSource(sourceID: "noaa", config: SourceConfig(sourceType: "generator", topic: "t"),
                                      configVersion: "kafka:3:17", warnings: ["unknown key 'x'"]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.json())) as? [String: Any])
        #expect(Set(object.keys) == Set(SourceStatus.fields))
        #expect(object["stream_id"] is NSNull && object["rejected"] is NSNull && object["last_error"] is NSNull)
        #expect(object["records_dropped"] is NSNull)  // present, null until the stream reports
        #expect(object["state"] as? String == "RUNNING" && object["generation"] as? Int == 0)
        #expect((object["config_hash"] as? String)?.count == 64 && object["config_version"] as? String == "kafka:3:17")
        #expect(object["mode"] as? String == "real_time" && object["topic"] as? String == "t")
        #expect(object["updated_at"] as? String == "2026-11-29T15:41:00.123Z")
        #expect(SourceStatus.key("noaa") == "source:noaa")
    }

    @Test("rejected carries the refused hash (null for a whole-document error), version and error")
    func rejected() throws {
        var status = SourceStatus(sourceID: "a", state: .running, instanceID: "i")
        status.refuse(Rejection(configHash: nil, configVersion: "file:ab", error: "config.yaml:3:1: error: syntax error"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.json())) as? [String: Any])
        let refusal = try #require(object["rejected"] as? [String: Any])
        #expect(refusal["config_hash"] is NSNull && refusal["config_version"] as? String == "file:ab")
        #expect((refusal["error"] as? String)?.contains(":3:1:") == true)
        #expect(SourceState.allCases.map(\.rawValue) == ["PENDING", "STARTING", "RUNNING", "RECONFIGURING", "DEGRADED",
                                                          "FAILED", "STOPPED", "REJECTED"])
    }

    @Test("the hand-written JSON decodes back to the same status, quotes, line breaks and non-ASCII included")
    func roundTrip() throws {
        var status = SourceStatus(sourceID: "wetter_zürich", state: .failed, instanceID: "pod-\"1\"")
        status.lastError = "line 1\nline 2\t\\ \u{1}"
        status.warnings = ["unknown key 'x'", "ünïcode"]
        status.refuse(Rejection(configHash: "ab", configVersion: "kafka:0:1", error: "bad \"value\""))
        status.recordsProcessed = 12
        status.recordsDropped = 288_500
        status.reason = "stalled"
        status.lastProgressAt = "2026-11-29T15:41:00.123Z"
        status.consecutiveFailures = 4
        status.restarts = 2
        let back = try JSONDecoder().decode(SourceStatus.self, from: Data(status.json()))
        #expect(back == status)
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(status.json())) as? [String: Any]).keys
        #expect(Set(keys) == Set(SourceStatus.fields))
        // A record written before `records_dropped` existed still decodes (dashboards read old ones).
        let old = #"{"config_hash":null,"config_version":null,"generation":0,"instance_id":"i","last_error":null,"mode":null,"#
            + #""records_failed":0,"records_processed":3,"rejected":null,"source_id":"a","state":"RUNNING","stream_id":null,"#
            + #""topic":null,"updated_at":"2026-11-29T15:41:00.123Z","warnings":[]}"#
        let decodedOld = try JSONDecoder().decode(SourceStatus.self, from: Data(old.utf8))
        #expect(decodedOld.recordsDropped == nil && decodedOld.reason == nil && decodedOld.lastProgressAt == nil)
        #expect(decodedOld.consecutiveFailures == 0 && decodedOld.restarts == 0)
    }

    @Test("a fresh record has every field, the new ones included: reason and last_progress_at null, counts 0; keys sorted")
    func newFieldsAndOrder() throws {
        let fresh = SourceStatus(sourceID: "s", state: .starting, instanceID: "i")
        let text = String(decoding: fresh.json(), as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(fresh.json())) as? [String: Any])
        #expect(Set(object.keys) == Set(SourceStatus.fields) && object.count == SourceStatus.fields.count)
        #expect(object["reason"] is NSNull && object["last_progress_at"] is NSNull)
        #expect(object["consecutive_failures"] as? Int == 0 && object["restarts"] as? Int == 0)
        // Keys in the order written: sorted, so compaction diffs stay stable.
        let order = SourceStatus.fields.sorted().compactMap { text.range(of: "\"\($0)\":")?.lowerBound }
        #expect(order.count == SourceStatus.fields.count && order == order.sorted())
        #expect(try JSONDecoder().decode(SourceStatus.self, from: Data(fresh.json())) == fresh)
    }

    @Test("progress time and consecutive failures alone are not a change worth a record; reason and restarts are")
    func reportsSame() {
        let a = SourceStatus(sourceID: "s", state: .running, instanceID: "i")
        var b = a
        b.lastProgressAt = "2026-11-29T15:41:00.123Z"
        b.consecutiveFailures = 3
        #expect(a.reportsSame(as: b))
        var c = a
        c.restarts = 1
        #expect(!a.reportsSame(as: c))
        var d = a
        d.reason = "stalled"
        #expect(!a.reportsSame(as: d))
    }
}
