import Foundation
import Kafka
import Pipeline
import Testing

@Suite("DLQ re-drive policy")
struct RedrivePolicyTests {
    let settings = RedriveSettings(delay: .seconds(60), maxRedrives: 2)
    let failedAt = Date(timeIntervalSince1970: 1_800_000_000)

    func dlqRecord(stage: String = "produce", redrives: Int? = nil, failedAtHeader: Bool = true,
                   timestamp: Int64? = nil) -> ConsumerRecord {
        var headers = [KafkaHeader(key: "source_id", string: "noaa"),
                       KafkaHeader(key: "dlq.error", string: "Broker: Topic authorization failed"),
                       KafkaHeader(key: "dlq.source_id", string: "noaa"),
                       KafkaHeader(key: "dlq.stage", string: stage),
                       KafkaHeader(key: "dlq.attempts", string: "4"),
                       KafkaHeader(key: "dlq.original_topic", string: "weather")]
        if failedAtHeader { headers.append(KafkaHeader(key: "dlq.failed_at", string: RFC3339.string(failedAt))) }
        if let redrives { headers.append(KafkaHeader(key: "dlq.redrives", string: String(redrives))) }
        return ConsumerRecord(topic: "weather.dlq", partition: 0, offset: 7, key: Array("k".utf8), value: Array("{}".utf8),
                              headers: headers, timestampMilliseconds: timestamp)
    }

    @Test("a record waits until delay_seconds after dlq.failed_at, then goes back with its own headers only")
    func waitsThenRedrives() {
        let early = RedrivePolicy.decide(dlqRecord(), now: failedAt.addingTimeInterval(59), settings: settings)
        #expect(early == .wait(until: failedAt.addingTimeInterval(60)))
        let due = RedrivePolicy.decide(dlqRecord(), now: failedAt.addingTimeInterval(60), settings: settings)
        #expect(due == .redrive(topic: "weather", headers: [KafkaHeader(key: "source_id", string: "noaa")], redrives: 1))
    }

    @Test("the re-drive count is bounded by max_redrives")
    func bounded() {
        let later = failedAt.addingTimeInterval(3600)
        guard case .redrive(_, _, let n) = RedrivePolicy.decide(dlqRecord(redrives: 1), now: later, settings: settings) else {
            Issue.record("second re-drive expected")
            return
        }
        #expect(n == 2)
        guard case .park(let reason) = RedrivePolicy.decide(dlqRecord(redrives: 2), now: later, settings: settings) else {
            Issue.record("a record re-driven max_redrives times must stay in the DLQ")
            return
        }
        #expect(reason.contains("2 time"))
    }

    @Test("malformed records and records without StreamManager's headers are never re-driven")
    func neverRedriven() {
        let later = failedAt.addingTimeInterval(3600)
        #expect(RedrivePolicy.decide(dlqRecord(stage: "transform"), now: later, settings: settings).isPark)
        let foreign = ConsumerRecord(topic: "orders.dlq", partition: 0, offset: 0, key: nil, value: Array("x".utf8),
                                     headers: [], timestampMilliseconds: nil)
        #expect(RedrivePolicy.decide(foreign, now: later, settings: settings).isPark)
    }

    @Test("without dlq.failed_at the record's timestamp counts")
    func timestampFallback() {
        let ts = Int64(failedAt.timeIntervalSince1970 * 1000)
        let record = dlqRecord(failedAtHeader: false, timestamp: ts)
        #expect(RedrivePolicy.decide(record, now: failedAt.addingTimeInterval(10), settings: settings)
                    == .wait(until: failedAt.addingTimeInterval(60)))
    }

    @Test("DLQ headers: a new copy replaces earlier dlq.* headers instead of stacking them")
    func headersReplace() {
        let first = DeadLetter.headers([KafkaHeader(key: "source_id", string: "s")], error: "e1", sourceID: "s", stage: .produce,
                                       attempts: 1, originalTopic: "t", redrives: 0, failedAt: failedAt)
        let second = DeadLetter.headers(first, error: "e2", sourceID: "s", stage: .redrive, attempts: 2, originalTopic: "t",
                                        redrives: 1, failedAt: failedAt)
        #expect(second.filter { $0.key == "dlq.error" }.map(\.stringValue) == ["e2"])
        #expect(second.first { $0.key == "dlq.redrives" }?.stringValue == "1")
        #expect(second.first { $0.key == "dlq.stage" }?.stringValue == "redrive")
        #expect(DeadLetter.originalHeaders(second) == [KafkaHeader(key: "source_id", string: "s")])
        #expect(RFC3339.date(second.first { $0.key == "dlq.failed_at" }!.stringValue!) == failedAt)
    }
}

extension RedriveDecision {
    var isPark: Bool { if case .park = self { return true } else { return false } }
}
