// reconcile-bench: how fast the operator turns config-topic records into running streams.
//  1. Latency: with 1,000 idle sources running, the time from producing a changed config record
//     to the status record showing the new hash RUNNING; p50/p99 over 200 changes (target p99 < 50 ms).
//  2. Scale: 10,000 sources in the config topic; the initial sync (start → InitDone), the time
//     from InitDone to all RUNNING, and RSS (target < 3 s and < 256 MB).
// Everything runs in this process on librdkafka's embedded cluster; run it with `make bench`.
import Foundation
import Kafka
import Logging
import Operator
import Reconciler
import ServiceLifecycle
import StreamConfig

/// BENCH_DEBUG=1 prints progress; BENCH_SOURCES / BENCH_SCALE change the source counts.
let debug = ProcessInfo.processInfo.environment["BENCH_DEBUG"] != nil

let logger: Logger = {
    var l = Logger(label: "reconcile-bench")
    l.logLevel = .critical
    return l
}()

/// An idle source: polls once an hour, emits one record at start.
func idleSource(_ interval: Int = 3600) -> String {
    #"{"source_type":"generator","topic":"idle","rate_limit_per_minute":0,"#
        + #""ingestion":{"mode":"real_time","polling_interval_seconds":\#(interval)},"connector":{"rate_per_second":0.001}}"#
}

func hash(_ id: String, _ json: String) -> String {
    ConfigLoader.parseSourceDocument(json, sourceID: id).value!.configHash
}

func cluster() throws -> EmbeddedKafkaCluster {
    let c = try EmbeddedKafkaCluster(logger: logger)
    try c.createTopic("stream-config", partitions: 12)
    for t in ["stream-status", "stream-offsets", "idle"] { try c.createTopic(t, partitions: 1) }
    return c
}

func operatorSettings(_ c: EmbeddedKafkaCluster) -> OperatorSettings {
    var config = StreamManagerConfig()
    config.kafka.bootstrapServers = c.bootstrapServers
    config.throttling.enabled = false
    config.queueMaxSize = 100_000
    config.manager.statusIntervalSeconds = 3600  // only state changes are written during the runs
    var settings = OperatorSettings(config: config, bootstrapServers: c.bootstrapList, desiredSource: .kafka,
                                    instanceID: "bench", ensureTopics: false)
    settings.configFetchWait = .milliseconds(10)  // as `run --bootstrap-servers embedded` does
    // One replica that does not join the fleet's group: this measures the reconciler; joining the
    // group only delays the first assignment (bench/failover_bench.py measures the fleet).
    settings.shareSources = false
    return settings
}

func produce(_ producer: KafkaProducer, _ records: [(String, String)]) async throws {
    for (key, value) in records {
        _ = try await producer.sendWhenReady(ProducerRecord(topic: "stream-config", key: key, value: value))
    }
    try await producer.flush()
}

func rssMB() -> (current: Double, peak: Double) {
    let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Double {
        let line = text.split(separator: "\n").first { $0.hasPrefix(name) } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
    return (field("VmRSS:"), field("VmHWM:"))
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

/// Status records as they arrive, with the time each was read.
final class StatusFeed: @unchecked Sendable {
    let stream: AsyncStream<(key: String, status: SourceStatus?)>
    private let task: Task<Void, Never>
    init(_ c: EmbeddedKafkaCluster) {
        let (stream, continuation) = AsyncStream<(key: String, status: SourceStatus?)>.makeStream()
        self.stream = stream
        var configuration = KafkaConsumerConfiguration(bootstrapServers: c.bootstrapList)
        configuration.properties["fetch.wait.max.ms"] = "10"  // the embedded cluster answers idle fetches only at this deadline
        let reader = CompactedTopicReader(topic: "stream-status", configuration: configuration, logger: logger)
        task = Task {
            let decoder = JSONDecoder()
            do {
                try await reader.read { event in
                    if case .upsert(let r) = event, let key = r.keyString, let v = r.value {
                        continuation.yield((key, try? decoder.decode(SourceStatus.self, from: Data(v))))
                    }
                    if case .initDone = event { continuation.yield((StatusFeed.synced, nil)) }
                    return true
                }
            } catch {}
            continuation.finish()
        }
    }
    func cancel() { task.cancel() }

    /// Yielded once the feed has read the topic to its end: only later records are changes.
    static let synced = "bench:synced"
}

func latency() async throws {
    let c = try cluster()
    let producer = try KafkaProducer(configuration: .init(bootstrapServers: c.bootstrapList), logger: logger)
    let sources = Int(ProcessInfo.processInfo.environment["BENCH_SOURCES"] ?? "") ?? 1_000, changes = 200
    try await produce(producer, (0..<sources).map { ("s\($0)", idleSource()) })
    let op = try StreamOperator(settings: operatorSettings(c), logger: logger)
    let group = ServiceGroup(services: [op], logger: logger)
    let run = Task { try await group.run() }
    let t0 = ContinuousClock.now
    while op.runtime.activeStreamCount < sources {
        try await Task.sleep(for: .milliseconds(500))
        if debug { FileHandle.standardError.write(Data("\(ContinuousClock.now - t0): \(op.runtime.activeStreamCount) running\n".utf8)) }
    }
    let feed = StatusFeed(c)
    var iterator = feed.stream.makeAsyncIterator()
    // Changes are timed only once the feed has read everything written so far (the start-up
    // records): a change written earlier would be folded into its snapshot, never seen as a change.
    while let (key, _) = await iterator.next(), key != StatusFeed.synced {}
    var latencies: [Double] = []
    for i in 0..<changes {
        let id = "s\((i * 7) % sources)"
        let json = idleSource(3600 + i + 1)  // a hot change: new hash, same stream
        let want = hash(id, json)
        let start = ContinuousClock.now
        try producer.send(ProducerRecord(topic: "stream-config", key: id, value: json))
        while let (key, status) = await iterator.next() {
            if debug { FileHandle.standardError.write(Data("\(key) \(status?.state.rawValue ?? "-") \(status?.configHash?.prefix(8) ?? "") want \(want.prefix(8))\n".utf8)) }
            if key == "source:\(id)", status?.configHash == want, status?.state == .running { break }
        }
        latencies.append(Double((ContinuousClock.now - start) / .microseconds(1)) / 1000)
        if debug { FileHandle.standardError.write(Data("latency \(latencies.last!) ms\n".utf8)) }
    }
    // Baseline, same cluster and run: one Kafka hop (produce → the follower reads it), which a
    // config change makes twice (config topic → operator, status topic → reader).
    var hops: [Double] = []
    for i in 0..<changes {
        let start = ContinuousClock.now
        try producer.send(ProducerRecord(topic: "stream-status", key: "bench:ping", value: "\(i)"))
        while let (key, _) = await iterator.next() { if key == "bench:ping" { break } }
        hops.append(Double((ContinuousClock.now - start) / .microseconds(1)) / 1000)
    }
    feed.cancel()
    await group.triggerGracefulShutdown()
    try await run.value
    let hopSorted = hops.sorted()
    print(String(format: "baseline, one Kafka hop (produce → follower) on the same cluster: p50 %.1f ms, p99 %.1f ms",
                 percentile(hopSorted, 0.5), percentile(hopSorted, 0.99)))
    let sorted = latencies.sorted()
    print(String(format: "reconcile latency, %d idle sources, %d changes: p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 < 50 ms)",
                 sources, changes, percentile(sorted, 0.5), percentile(sorted, 0.99), sorted.last!))
}

func scale() async throws {
    let c = try cluster()
    let producer = try KafkaProducer(configuration: .init(bootstrapServers: c.bootstrapList), logger: logger)
    let sources = Int(ProcessInfo.processInfo.environment["BENCH_SCALE"] ?? "") ?? 10_000
    try await produce(producer, (0..<sources).map { ("s\($0)", idleSource()) })
    // Baseline: reading the same topic to its end with no parsing (the floor of the initial sync).
    let rawStart = ContinuousClock.now
    var rawConfiguration = KafkaConsumerConfiguration(bootstrapServers: c.bootstrapList)
    rawConfiguration.properties["fetch.wait.max.ms"] = "10"
    let (values, _) = try await CompactedTopicReader(topic: "stream-config", configuration: rawConfiguration, logger: logger).snapshot()
    let rawRead = Double((ContinuousClock.now - rawStart) / .microseconds(1)) / 1e6
    precondition(values.count == sources)
    let before = rssMB().current
    let start = ContinuousClock.now
    let op = try StreamOperator(settings: operatorSettings(c), logger: logger)
    let group = ServiceGroup(services: [op], logger: logger)
    let run = Task { try await group.run() }
    var synced: ContinuousClock.Instant?
    while op.runtime.activeStreamCount < sources {
        if synced == nil { synced = op.loop.syncedAt }
        try await Task.sleep(for: .milliseconds(1))
    }
    let allRunning = ContinuousClock.now
    let syncedAt = synced ?? op.loop.syncedAt!
    let rss = rssMB()
    let sync = Double((syncedAt - start) / .microseconds(1)) / 1e6
    let toRunning = Double((allRunning - syncedAt) / .microseconds(1)) / 1e6
    await group.triggerGracefulShutdown()
    try await run.value
    print(String(format: "baseline, reading the %d config records with no parsing: %.2f s", sources, rawRead))
    print(String(format: "scale, %d sources: initial sync %.2f s, InitDone → all RUNNING %.2f s (target < 3 s); "
                 + "RSS %.0f MB (%.0f MB before the operator started, embedded cluster included; peak %.0f MB; target < 256 MB)",
                 sources, sync, toRunning, rss.current, before, rss.peak))
}

if ProcessInfo.processInfo.environment["BENCH_ONLY_SCALE"] == nil { try await latency() }
try await scale()
