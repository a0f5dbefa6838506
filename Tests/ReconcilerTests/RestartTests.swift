import Connectors
import Foundation
import Kafka
import Pipeline
import Reconciler
import StreamConfig
import StreamManagerKit
import Synchronization
import TestSupport
import Testing

/// A source type whose connectors count from their cursor and fail every fetch while the
/// test says so. Every connector the runtime builds shares one `Script`, which records where
/// each connector was first asked to start.
struct ScriptedSourceType: SourceType {
    final class Script: Sendable {
        struct State {
            var failing = false
            var connectors = 0
            /// Per connector, in build order: the cursor of its first fetch ("" = from the start).
            var firstCursors: [String] = []
            /// The cursor after the last page any connector returned.
            var lastCursor: String?
        }
        let state = Mutex(State())
        var failing: Bool {
            get { state.withLock { $0.failing } }
            set { state.withLock { $0.failing = newValue } }
        }
    }

    struct Connector: SourceConnector {
        let script: Script
        let index: Int
        func fetch(_ request: FetchRequest) async throws -> FetchResult {
            let failing = script.state.withLock { s -> Bool in
                if s.firstCursors.count == index { s.firstCursors.append(request.cursor ?? "") }
                return s.failing
            }
            if failing { throw ConnectorError("scripted failure", isRetriable: false) }
            let start = Int(request.cursor ?? "0") ?? 0
            let records = (start..<start + 5).map { SourceRecord(key: nil, value: Array("{\"seq\":\($0)}".utf8)) }
            let next = String(start + 5)
            script.state.withLock { $0.lastCursor = next }
            return FetchResult(records: records, nextCursor: next)
        }
    }

    let script: Script
    var name: String { "scripted_test" }
    var fetchesMayBeCached: Bool { false }
    var schema: ConnectorSchema { ConnectorSchema(settings: [:], required: []) }
    func settings(from connector: ConfigObject) throws(SourceSettingsError) -> Int { 0 }
    func makeConnector(_ settings: Int, context: ConnectorContext) -> any SourceConnector {
        let index = script.state.withLock { s -> Int in
            defer { s.connectors += 1 }
            return s.connectors
        }
        return Connector(script: script, index: index)
    }
}

/// Emits one snapshot of fixed sources, then waits.
struct FixedSources: DesiredStateSource {
    let sources: [DesiredSource]
    var kind: String { "file" }
    func produce(_ emit: (DesiredStateEvent) -> Void) async {
        emit(.initStarted)
        for s in sources { emit(.apply(s)) }
        emit(.initDone)
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
    }
}

@Suite("automatic restarts: backoff, stale requests, restart after failing fetches")
struct RestartTests {
    static let logger = TestLogging.logger(label: "restart-tests")

    @Test("backoff between automatic restarts: at once, then 1 s doubling, capped at 5 min; back to 1 s after 10 min of progress")
    func backoff() {
        #expect((1...10).map { RestartBackoff.gap(afterRestarts: $0) }
                == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300].map { Duration.seconds($0) })
        #expect(RestartBackoff.gap(afterRestarts: 1_000) == .seconds(300))
        let t0 = ContinuousClock.now
        var b = RestartBackoff()
        #expect(b.wait(now: t0, lastProgress: nil) == .zero)  // the first restart runs at once
        b.record(now: t0, lastProgress: nil)
        #expect(b.wait(now: t0, lastProgress: nil) == .seconds(1))
        #expect(b.wait(now: t0 + .milliseconds(400), lastProgress: nil) == .milliseconds(600))
        #expect(b.wait(now: t0 + .seconds(1), lastProgress: nil) == .zero)
        b.record(now: t0 + .seconds(1), lastProgress: nil)
        #expect(b.wait(now: t0 + .seconds(1), lastProgress: nil) == .seconds(2))
        var t = t0 + .seconds(1)
        for _ in 0..<20 { t += .seconds(400); b.record(now: t, lastProgress: t - .seconds(1)) }
        #expect(b.restarts == 22 && b.wait(now: t, lastProgress: t) == .seconds(300))
        // Progress 9 minutes after the last restart is not enough; 10 minutes resets the spacing.
        #expect(b.wait(now: t + .seconds(540), lastProgress: t + .seconds(540)) == .zero)  // 300 s have passed anyway
        #expect(b.wait(now: t + .seconds(100), lastProgress: t + .seconds(100)) == .seconds(200))
        var kept = b
        kept.record(now: t + .seconds(540), lastProgress: t + .seconds(539))
        #expect(kept.restarts == 23)
        b.record(now: t + .seconds(601), lastProgress: t + .seconds(600))
        #expect(b.restarts == 1 && b.wait(now: t + .seconds(601), lastProgress: nil) == .seconds(1))
    }

    /// A runtime on the embedded cluster and a reconcile loop over `sources`, running until `body` returns.
    static func withLoop(_ sources: [DesiredSource], registry: ConnectorRegistry = .shared, outcomes: Outcomes,
                         _ body: (StreamRuntime, ReconcileLoop) async throws -> Void) async throws {
        let cluster = try EmbeddedKafkaCluster()
        try cluster.createTopic("t", partitions: 1)
        var kafka = KafkaConfig(bootstrapServers: cluster.bootstrapServers)
        kafka.lingerMs = 5
        kafka.retryBackoffBase = 0.01
        var throttling = ThrottlingConfig()
        throttling.enabled = false
        let runtime = StreamRuntime(config: StreamManagerConfig(kafka: kafka, throttling: throttling), registry: registry,
                                    logger: logger, useOffsetsTopic: false)
        try await runtime.open()
        let running = Task { try await runtime.run() }
        let loop = ReconcileLoop(runtime: runtime, source: FixedSources(sources: sources), logger: logger,
                                 restartSpacing: .milliseconds(100)) { outcomes.add($0) }
        let task = Task { await loop.run() }
        defer { task.cancel() }
        try await waitFor("every source running", timeout: .seconds(10)) { loop.isReady && runtime.activeStreamCount == sources.count }
        do {
            try await body(runtime, loop)
        } catch {
            task.cancel()
            await runtime.shutdown()
            throw error
        }
        task.cancel()
        await task.value
        await runtime.shutdown()
        try await running.value
    }

    final class Outcomes: Sendable {
        let list = Mutex<[(outcome: ReconcileOutcome, at: ContinuousClock.Instant)]>([])
        func add(_ o: ReconcileOutcome) { list.withLock { $0.append((o, .now)) } }
        var restarts: [(streamID: String, reason: RestartReason, restarts: Int, at: ContinuousClock.Instant)] {
            list.withLock { $0.compactMap { entry in
                if case .restartedOnRequest(_, let streamID, let reason, let restarts, _) = entry.outcome {
                    return (streamID, reason, restarts, entry.at)
                }
                return nil
            } }
        }
    }

    static func generator(_ id: String) -> DesiredSource {
        DesiredSource(sourceID: id, config: SourceConfig(sourceType: "generator", topic: "t",
                                                         ingestion: IngestionConfig(mode: .realTime, pollingIntervalSeconds: 0.05),
                                                         rateLimitPerMinute: 0, connector: ["rate_per_second": 20]),
                      configVersion: "test:1")
    }

    @Test("requestRestart: a stale or unknown stream id is dropped; the running one is restarted once, not counted as automatic")
    func staleRequests() async throws {
        let outcomes = Outcomes()
        try await Self.withLoop([Self.generator("a")], outcomes: outcomes) { runtime, loop in
            let first = try #require(runtime.streamID(forSource: "a"))
            #expect(!loop.requestRestart(sourceID: "a", streamID: "a_19700101_000000_00000000", reason: .requested(by: "test")))
            #expect(!loop.requestRestart(sourceID: "nope", streamID: nil, reason: .requested(by: "test")))
            #expect(loop.requestRestart(sourceID: "a", streamID: first, reason: .requested(by: "test")))
            try await waitFor("a restarted", timeout: .seconds(10)) { runtime.streamID(forSource: "a") != first }
            let second = try #require(runtime.streamID(forSource: "a"))
            // The first stream is gone: a late request for it is refused.
            #expect(!loop.requestRestart(sourceID: "a", streamID: first, reason: .loopEnded))
            // nil: whichever runs. The outcomes show one restart per accepted request, no more.
            #expect(loop.requestRestart(sourceID: "a", streamID: nil, reason: .requested(by: "test")))
            try await waitFor("a restarted again", timeout: .seconds(10)) { outcomes.restarts.count == 2 }
            let third = try #require(runtime.streamID(forSource: "a"))
            #expect(outcomes.restarts.map(\.streamID) == [second, third] && third != second)
            #expect(outcomes.restarts.allSatisfy { $0.reason == .requested(by: "test") && $0.restarts == 0 })
            #expect(loop.restarts(of: "a") == 0)  // asked for: not an automatic restart
        }
    }

    @Test("the supervisor asks for a restart when a stream's loop ended or restart_after_failures fetches failed; 0 never for failures")
    func supervisorPolicy() async throws {
        let outcomes = Outcomes()
        try await Self.withLoop([Self.generator("a")], outcomes: outcomes) { runtime, loop in
            func report(failures: Int = 0, loopEnded: Bool = false, stream: String? = nil) -> [String: StreamReport] {
                let stream = stream ?? runtime.streamID(forSource: "a") ?? "none"
                return ["a": StreamReport(sourceID: "a", streamID: stream, configHash: "h", consecutiveFailures: failures,
                                          loopEnded: loopEnded)]
            }
            let three = StreamSupervisor(loop: loop, restartAfterFailures: 3)
            let never = StreamSupervisor(loop: loop, restartAfterFailures: 0)
            #expect(three.check(report(failures: 2)).isEmpty)
            #expect(never.check(report(failures: 1_000_000)).isEmpty)
            #expect(never.check(report(loopEnded: true, stream: "a_19700101_000000_00000000")).isEmpty)  // not what runs
            // A dead loop is restarted whatever the setting.
            #expect(never.check(report(loopEnded: true)) == ["a": .loopEnded])
            try await waitFor("the first restart", timeout: .seconds(10)) { outcomes.restarts.count == 1 }
            #expect(three.check(report(failures: 3)) == ["a": .fetchFailures(3)])
            try await waitFor("the second restart", timeout: .seconds(10)) { outcomes.restarts.count == 2 }
            #expect(outcomes.restarts.map(\.reason) == [.loopEnded, .fetchFailures(3)])
        }
    }

    @Test("automatic restarts through the loop: counted, and each next one waits out the backoff (1 s, then 2 s)")
    func automaticBackoff() async throws {
        let outcomes = Outcomes()
        try await Self.withLoop([Self.generator("a")], outcomes: outcomes) { runtime, loop in
            for n in 1...3 {
                // Each request names the stream running now, as the supervisor does.
                let running = try #require(runtime.streamID(forSource: "a"))
                #expect(loop.requestRestart(sourceID: "a", streamID: running, reason: .loopEnded))
                try await waitFor("automatic restart \(n)", timeout: .seconds(10)) { outcomes.restarts.count == n }
            }
            let r = outcomes.restarts
            #expect(r.map(\.restarts) == [1, 2, 3] && loop.restarts(of: "a") == 3)
            #expect(r[1].at - r[0].at >= .seconds(1), "second restart \(r[1].at - r[0].at) after the first")
            #expect(r[2].at - r[1].at >= .seconds(2), "third restart \(r[2].at - r[1].at) after the second")
            #expect(r[2].at - r[1].at < .seconds(4), "the wait is the backoff, not more")
        }
    }

    @Test("restart_after_failures failing fetches in a row: a new connector and stream id, resuming at the same cursor; counted")
    func restartAfterFailures() async throws {
        let script = ScriptedSourceType.Script()
        let types = SourceTypeRegistry.withBuiltins()
        let registry = ConnectorRegistry(types: types)
        registry.register(ScriptedSourceType(script: script))
        let source = DesiredSource(sourceID: "s", config: SourceConfig(sourceType: "scripted_test", topic: "t",
                                                                       ingestion: IngestionConfig(mode: .realTime, pollingIntervalSeconds: 0.05),
                                                                       rateLimitPerMinute: 0, maxRetries: 0),
                                   configVersion: "test:1")
        let outcomes = Outcomes()
        try await Self.withLoop([source], registry: registry, outcomes: outcomes) { runtime, loop in
            let supervisor = StreamSupervisor(loop: loop, restartAfterFailures: 3)
            let ticking = Task {
                while !Task.isCancelled {
                    supervisor.check(runtime.streamReports)
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { ticking.cancel() }
            let first = try #require(runtime.streamID(forSource: "s"))
            try await waitFor("records flowing", timeout: .seconds(10)) { (runtime.report(forSource: "s")?.recordsProcessed ?? 0) >= 20 }
            script.failing = true
            try await waitFor("three failures in a row", timeout: .seconds(10)) {
                (runtime.report(forSource: "s")?.consecutiveFailures ?? 0) >= 3 || runtime.streamID(forSource: "s") != first
            }
            let stalledAt = try #require(script.state.withLock { $0.lastCursor })
            try await waitFor("a new stream", timeout: .seconds(10)) { runtime.streamID(forSource: "s") != first }
            // The source works again before the new stream could fail three times (and its next
            // automatic restart would wait 1 s anyway).
            script.failing = false
            let second = try #require(runtime.streamID(forSource: "s"))
            try await waitFor("the new connector asked", timeout: .seconds(10)) { script.state.withLock { $0.firstCursors.count } >= 2 }
            #expect(script.state.withLock { $0.firstCursors } == ["", stalledAt])  // the same cursor: nothing skipped
            let restart = try #require(outcomes.restarts.first)
            // The supervisor looks every 100 ms: it may see a fourth failure before it asks.
            guard case .fetchFailures(let failures) = restart.reason else { throw TestFailure("restarted for \(restart.reason)") }
            #expect(restart.streamID == second && failures >= 3)
            #expect(outcomes.restarts.count == 1 && outcomes.restarts.first?.restarts == 1 && loop.restarts(of: "s") == 1)
            try await waitFor("records flowing again", timeout: .seconds(10)) {
                (runtime.report(forSource: "s")?.recordsProcessed ?? 0) >= 20 && runtime.report(forSource: "s")?.consecutiveFailures == 0
            }
            #expect(runtime.streamID(forSource: "s") == second)
        }
    }
}
