import Reconciler
import StreamConfig
import Testing

@Suite("plan(desired, running)")
struct PlanTests {
    static func source(_ topic: String = "t", mode: IngestionMode = .realTime, interval: Double = 5,
                       enabled: Bool = true, rate: Double = 1) -> SourceConfig {
        var s = SourceConfig(sourceType: "generator", topic: topic,
                             ingestion: IngestionConfig(mode: mode, pollingIntervalSeconds: interval),
                             connector: ["rate_per_second": .double(rate)])
        s.enabled = enabled
        return s
    }

    static func desired(_ sources: [String: SourceConfig], rejections: [String: Rejection] = [:]) -> DesiredState {
        var out: [String: DesiredSource] = [:]
        for (id, config) in sources { out[id] = DesiredSource(sourceID: id, config: config, configVersion: "kafka:0:1") }
        return DesiredState(sources: out, rejections: rejections)
    }

    static func running(_ sources: [String: SourceConfig]) -> [String: RunningSource] {
        sources.reduce(into: [:]) { $0[$1.key] = RunningSource(sourceID: $1.key, config: $1.value) }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let desired: [String: SourceConfig]
        let running: [String: SourceConfig]
        let rejections: [String: Rejection]
        let expected: [String]
        var testDescription: String { name }
    }

    static let refused = Rejection(configHash: "ab", configVersion: "kafka:3:9", error: "sources.a.ingestion.mode: line 3, column 9: unknown value")

    static let cases: [Case] = [
        Case(name: "nothing desired, nothing running", desired: [:], running: [:], rejections: [:], expected: []),
        Case(name: "new source starts", desired: ["a": source()], running: [:], rejections: [:], expected: ["start a"]),
        Case(name: "removed source stops", desired: [:], running: ["a": source()], rejections: [:], expected: ["stop a"]),
        Case(name: "unchanged: nothing", desired: ["a": source()], running: ["a": source()], rejections: [:], expected: []),
        Case(name: "interval and topic change: hot", desired: ["a": source("u", interval: 9)], running: ["a": source()],
             rejections: [:], expected: ["reconfigure a ingestion.polling_interval_seconds,topic"]),
        Case(name: "mode change: make-before-break restart", desired: ["a": source(mode: .batch)], running: ["a": source()],
             rejections: [:], expected: ["restart a ingestion.mode"]),
        Case(name: "connector setting: restart", desired: ["a": source(rate: 2)], running: ["a": source()],
             rejections: [:], expected: ["restart a connector.rate_per_second"]),
        Case(name: "disabled while running: stop", desired: ["a": source(enabled: false)], running: ["a": source()],
             rejections: [:], expected: ["stop a"]),
        Case(name: "disabled and not running: nothing", desired: ["a": source(enabled: false)], running: [:],
             rejections: [:], expected: []),
        Case(name: "refused edit of a running source: reported, keeps running", desired: ["a": source()], running: ["a": source()],
             rejections: ["a": refused], expected: ["reject a"]),
        Case(name: "refused new source: reported only", desired: [:], running: [:], rejections: ["b": refused], expected: ["reject b"]),
        Case(name: "several at once, sorted by id", desired: ["c": source(), "a": source(interval: 7)],
             running: ["a": source(), "b": source()], rejections: [:],
             expected: ["reconfigure a ingestion.polling_interval_seconds", "stop b", "start c"]),
    ]

    static func describe(_ action: ReconcileAction) -> String {
        switch action {
        case .start(let d): return "start \(d.sourceID)"
        case .stop(let id): return "stop \(id)"
        case .reconfigure(let d, let fields): return "reconfigure \(d.sourceID) \(fields.sorted().joined(separator: ","))"
        case .restart(let d, let fields): return "restart \(d.sourceID) \(fields.sorted().joined(separator: ","))"
        case .reject(let id, _): return "reject \(id)"
        case .forget(let id): return "forget \(id)"
        }
    }

    @Test("a refused source that is deleted (nothing runs, no refusal left) has its status forgotten, once")
    func forgetRefused() {
        let refused = Rejection(configHash: "ff", configVersion: "kafka:0:9", error: "line 1, column 1: bad")
        let actions = plan(desired: DesiredState(), running: [:], publishedRejections: ["gone": refused])
        #expect(actions.map(Self.describe) == ["forget gone"])
        // Still refused: reported once, nothing to forget.
        let still = plan(desired: DesiredState(rejections: ["gone": refused]), running: [:], publishedRejections: ["gone": refused])
        #expect(still.isEmpty)
        #expect(plan(desired: DesiredState(), running: [:], publishedRejections: [:]).isEmpty)
    }

    @Test("each case plans exactly these actions", arguments: cases)
    func table(_ c: Case) {
        let actions = plan(desired: Self.desired(c.desired, rejections: c.rejections), running: Self.running(c.running))
        #expect(actions.map(Self.describe) == c.expected)
    }

    @Test("idempotent: once the actions are applied, the same desired state plans nothing", arguments: cases)
    func idempotent(_ c: Case) {
        let desired = Self.desired(c.desired, rejections: c.rejections)
        var running = Self.running(c.running)
        var published: [String: Rejection] = [:]
        for action in plan(desired: desired, running: running) {
            switch action {
            case .start(let d), .reconfigure(let d, _), .restart(let d, _):
                running[d.sourceID] = RunningSource(sourceID: d.sourceID, config: d.config)
            case .stop(let id):
                running[id] = nil
            case .reject(let id, let r):
                published[id] = r
            case .forget(let id):
                published[id] = nil
            }
        }
        #expect(plan(desired: desired, running: running, publishedRejections: published).isEmpty)
    }
}
