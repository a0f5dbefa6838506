// Pipeline throughput: a generator source (200-byte JSON records, no rate limit) through
// StreamManagerV2's pipeline (queue → throttler (enabled, no lag) → topic resolver → producer)
// against raw rd_kafka_produce of the same generated records with the same producer settings.
// Same run, alternating, median of N; each measured until the last delivery report.
// Run pinned to one core: `taskset -c 0 .build/release/pipeline-bench` (`make bench` does).
import Connectors
import CRdKafka
import Foundation
import Kafka
import Logging
import Pipeline
import StreamConfig
import StreamManagerKit

let args = CommandLine.arguments
func argument(_ name: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}
let recordCount = argument("--records", 300_000)
let rounds = argument("--rounds", 5)
let only = args.firstIndex(of: "--only").map { args[$0 + 1] }
let logger: Logger = {
    var l = Logger(label: "bench")
    l.logLevel = .error
    return l
}()

func config(bootstrap: String) -> StreamManagerConfig {
    var kafka = KafkaConfig(bootstrapServers: bootstrap)
    kafka.compressionType = .none
    kafka.lingerMs = 5
    kafka.batchSize = argument("--batch", 500)  // the `kafka.batch_size` default
    var throttling = ThrottlingConfig()
    throttling.enabled = true
    throttling.maxSendRate = 0  // no pacing: the point is the pipeline's own cost
    let source = SourceConfig(
        sourceType: "generator", topic: "bench",
        ingestion: IngestionConfig(mode: .realTime, pollingIntervalSeconds: 0.001, maxRecordsPerPoll: argument("--page", 1_000)),  // the default page
        rateLimitPerMinute: 0, cacheTTLSeconds: 0,
        connector: ["rate_per_second": 0, "total_records": .int(recordCount), "payload_bytes": 200, "key_cardinality": 64])
    return StreamManagerConfig(kafka: kafka, throttling: throttling, queueMaxSize: 100_000, queueOverflowStrategy: .block,
                               sources: ["bench_gen": source])
}

/// The two raw baselines, same properties, same generated records, a counting DR callback.
/// `plain`: `rd_kafka_produce` of key and value only (it cannot carry headers or a timestamp).
/// `same`: byte-identical records to the pipeline's (key, value, the connector's event time and
/// the `source_id`/`source_type` headers every stream adds) with `rd_kafka_produceva`, the
/// lowest-level call that can set them; librdkafka takes ownership of a headers list per message.
enum Baseline { case plain, same }

func runRaw(bootstrap: String, _ baseline: Baseline) throws -> Double {
    let props = try KafkaProducerConfiguration(config(bootstrap: bootstrap).kafka, bootstrapServers: .bootstrapList(bootstrap)).librdkafkaProperties()
    let conf = rd_kafka_conf_new()!
    var errstr = [CChar](repeating: 0, count: 512)
    for (k, v) in props { rd_kafka_conf_set(conf, k, v, &errstr, 512) }
    let delivered = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    delivered.pointee = 0
    rd_kafka_conf_set_opaque(conf, delivered)
    rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
        if message?.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR { opaque!.assumingMemoryBound(to: Int.self).pointee += 1 }
    }
    let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, 512)!
    let rkt = rd_kafka_topic_new(rk, "bench", nil)!
    let generator = GeneratorConnector(sourceID: "bench_gen", settings: GeneratorSettings(ratePerSecond: 0, payloadBytes: 200,
                                                                                          keyCardinality: 64))
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = cpuSeconds()
    var now = Int64(Date().timeIntervalSince1970 * 1000)
    for seq in 0..<UInt64(recordCount) {
        if seq % 2_000 == 0 { now = Int64(Date().timeIntervalSince1970 * 1000) }  // the connector stamps each page
        let record = generator.record(seq: seq, eventTimeMilliseconds: now)
        while true {
            let ok = record.value.withUnsafeBytes { p in
                record.key!.withUnsafeBytes { k in
                    switch baseline {
                    case .plain:
                        rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                         UnsafeMutableRawPointer(mutating: p.baseAddress), p.count, k.baseAddress, k.count, nil) == 0
                    case .same:
                        produceWithHeaders(rk, rkt, value: p, key: k, timestamp: now)
                    }
                }
            }
            if ok { break }
            rd_kafka_poll(rk, 1)
        }
        if seq & 1023 == 0 { rd_kafka_poll(rk, 0) }
    }
    while delivered.pointee < recordCount { rd_kafka_poll(rk, 50) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if verbose { print(String(format: "    %.2f s, CPU busy %.0f%%", seconds, (cpuSeconds() - cpuStart) / seconds * 100)) }
    rd_kafka_topic_destroy(rkt)
    rd_kafka_destroy(rk)
    delivered.deallocate()
    return Double(recordCount) / seconds
}

func produceWithHeaders(_ rk: OpaquePointer, _ rkt: OpaquePointer, value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer,
                        timestamp: Int64) -> Bool {
    let headers = rd_kafka_headers_new(2)
    _ = rd_kafka_header_add(headers, "source_id", -1, "bench_gen", 9)
    _ = rd_kafka_header_add(headers, "source_type", -1, "generator", 9)
    return withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 6) { vu in
        for i in 0..<6 { vu[i] = rd_kafka_vu_t() }
        vu[0].vtype = RD_KAFKA_VTYPE_RKT; vu[0].u.rkt = rkt
        vu[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS; vu[1].u.i = RD_KAFKA_MSG_F_COPY
        vu[2].vtype = RD_KAFKA_VTYPE_VALUE; vu[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
        vu[2].u.mem.size = value.count
        vu[3].vtype = RD_KAFKA_VTYPE_KEY; vu[3].u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
        vu[3].u.mem.size = key.count
        vu[4].vtype = RD_KAFKA_VTYPE_TIMESTAMP; vu[4].u.i64 = timestamp
        vu[5].vtype = RD_KAFKA_VTYPE_HEADERS; vu[5].u.headers = headers
        guard let error = rd_kafka_produceva(rk, vu.baseAddress, 6) else { return true }
        rd_kafka_error_destroy(error)
        rd_kafka_headers_destroy(headers)  // ownership passes only on success
        return false
    }
}

func runPipeline(bootstrap: String) async throws -> Double {
    let manager = StreamManagerV2(config: config(bootstrap: bootstrap), logger: logger, useOffsetsTopic: false)
    try await manager.start()
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = cpuSeconds()
    try await manager.startStream(sourceID: "bench_gen")
    while manager.metrics().producer.totalSent < recordCount { try await Task.sleep(for: .milliseconds(2)) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if verbose { print(String(format: "    %.2f s, CPU busy %.0f%%", seconds, (cpuSeconds() - cpuStart) / seconds * 100)) }
    await manager.stop()
    return Double(recordCount) / seconds
}

/// User + system time of the whole process (all threads), to tell CPU cost from idle waiting.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
let verbose = args.contains("--verbose")

func median(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.sorted()[xs.count / 2] }

print("pipeline throughput: \(recordCount) generator records of 200 bytes, \(rounds) alternating rounds, embedded cluster")
var plain: [Double] = [], same: [Double] = [], pipeline: [Double] = []
for round in 0..<rounds {
    let order = round % 2 == 0 ? ["plain", "same", "pipeline"] : ["pipeline", "same", "plain"]
    for variant in order where only == nil || only == variant {
        let cluster = try EmbeddedKafkaCluster(logger: logger)
        try cluster.createTopic("bench", partitions: 4)
        switch variant {
        case "plain": plain.append(try runRaw(bootstrap: cluster.bootstrapServers, .plain))
        case "same": same.append(try runRaw(bootstrap: cluster.bootstrapServers, .same))
        default: pipeline.append(try await runPipeline(bootstrap: cluster.bootstrapServers))
        }
    }
    print(String(format: "  round %d: raw produce %.0f, raw same records %.0f, pipeline %.0f rec/s", round + 1,
                 plain.last ?? 0, same.last ?? 0, pipeline.last ?? 0))
}
if only != nil { exit(0) }
print(String(format: "raw rd_kafka_produce, key+value only:        %.0f records/s (median)", median(plain)))
print(String(format: "raw rd_kafka_produceva, same records:        %.0f records/s (median)", median(same)))
print(String(format: "StreamManagerV2 pipeline:                    %.0f records/s (median)", median(pipeline)))
print(String(format: "ratio pipeline / raw same records:           %.3f (target >= 0.8)", median(pipeline) / median(same)))
print(String(format: "ratio pipeline / raw key+value only:         %.3f (headers and timestamp included)",
             median(pipeline) / median(plain)))
