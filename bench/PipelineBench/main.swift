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
    kafka.batchSize = 2_000
    var throttling = ThrottlingConfig()
    throttling.enabled = true
    throttling.maxSendRate = 0  // no pacing: the point is the pipeline's own cost
    let source = SourceConfig(
        sourceType: "generator", topic: "bench",
        ingestion: IngestionConfig(mode: .realTime, pollingIntervalSeconds: 0.001, maxRecordsPerPoll: 2_000),
        rateLimitPerMinute: 0, cacheTTLSeconds: 0,
        connector: ["rate_per_second": 0, "total_records": .int(recordCount), "payload_bytes": 200, "key_cardinality": 64])
    return StreamManagerConfig(kafka: kafka, throttling: throttling, queueMaxSize: 100_000, queueOverflowStrategy: .block,
                               sources: ["bench_gen": source])
}

/// Raw librdkafka: the same properties, the same generated records, a counting DR callback.
func runRaw(bootstrap: String) throws -> Double {
    let props = try ConfigMapping.producerProperties(config(bootstrap: bootstrap), bootstrap: bootstrap)
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
    for seq in 0..<UInt64(recordCount) {
        let record = generator.record(seq: seq)
        while true {
            let rc = record.value.withUnsafeBytes { p in
                record.key!.withUnsafeBytes { k in
                    rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, UnsafeMutableRawPointer(mutating: p.baseAddress),
                                     p.count, k.baseAddress, k.count, nil)
                }
            }
            if rc == 0 { break }
            rd_kafka_poll(rk, 1)
        }
        if seq & 1023 == 0 { rd_kafka_poll(rk, 0) }
    }
    while delivered.pointee < recordCount { rd_kafka_poll(rk, 50) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    rd_kafka_topic_destroy(rkt)
    rd_kafka_destroy(rk)
    delivered.deallocate()
    return Double(recordCount) / seconds
}

func runPipeline(bootstrap: String) async throws -> Double {
    let manager = StreamManagerV2(config: config(bootstrap: bootstrap), logger: logger, useOffsetsTopic: false)
    try await manager.start()
    let start = DispatchTime.now().uptimeNanoseconds
    try await manager.startStream(sourceID: "bench_gen")
    while manager.metrics().producer.total_sent < recordCount { try await Task.sleep(for: .milliseconds(2)) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    await manager.stop()
    return Double(recordCount) / seconds
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

print("pipeline throughput: \(recordCount) generator records of 200 bytes, \(rounds) alternating rounds, embedded cluster")
var raw: [Double] = [], pipeline: [Double] = []
for round in 0..<rounds {
    for order in (round % 2 == 0 ? [0, 1] : [1, 0]) where only == nil || (only == "raw") == (order == 0) {
        let cluster = try EmbeddedKafkaCluster(logger: logger)
        try cluster.createTopic("bench", partitions: 4)
        if order == 0 { raw.append(try runRaw(bootstrap: cluster.bootstrapServers)) }
        else { pipeline.append(try await runPipeline(bootstrap: cluster.bootstrapServers)) }
    }
    print(String(format: "  round %d: raw %.0f rec/s, pipeline %.0f rec/s", round + 1, raw.last ?? 0, pipeline.last ?? 0))
}
if only != nil { exit(0) }
print(String(format: "raw rd_kafka_produce: %.0f records/s (median)", median(raw)))
print(String(format: "StreamManagerV2 pipeline: %.0f records/s (median)", median(pipeline)))
print(String(format: "ratio pipeline/raw: %.3f (target >= 0.8)", median(pipeline) / median(raw)))
