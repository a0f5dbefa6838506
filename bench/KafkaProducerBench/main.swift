// Producer throughput: the Swift wrapper (`KafkaProducer`) against raw `rd_kafka_produce`
// on identical 200-byte records, same settings, same run, alternating, median of N.
// Each measurement runs until the last delivery report. Prints records/s and the ratio.
import CRdKafka
import Foundation
import Kafka
import Logging
import Synchronization

let args = CommandLine.arguments
func argument(_ name: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}
let recordCount = argument("--records", 200_000)
let rounds = argument("--rounds", 5)
let only = args.firstIndex(of: "--only").map { args[$0 + 1] }
let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 200)
let keys = (0..<64).map { Array("key-\($0)".utf8) }
let logger: Logger = {
    var l = Logger(label: "bench")
    l.logLevel = .error
    return l
}()

func configuration(_ bootstrap: String) -> KafkaProducerConfiguration {
    var c = KafkaProducerConfiguration(bootstrapServers: [bootstrap])
    c.maxQueuedMessages = 1_000_000
    c.lingerMilliseconds = 5
    return c
}

/// Raw librdkafka: the same properties, rd_kafka_produce with a topic handle, a counting DR callback.
func runRaw(bootstrap: String, topic: String) -> Double {
    let conf = rd_kafka_conf_new()!
    var errstr = [CChar](repeating: 0, count: 512)
    for (k, v) in configuration(bootstrap).librdkafkaProperties() { rd_kafka_conf_set(conf, k, v, &errstr, 512) }
    let delivered = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    delivered.pointee = 0
    rd_kafka_conf_set_opaque(conf, delivered)
    rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
        if message?.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            opaque!.assumingMemoryBound(to: Int.self).pointee += 1
        }
    }
    let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, 512)!
    let rkt = rd_kafka_topic_new(rk, topic, nil)!
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<recordCount {
        let key = keys[i & 63]
        while true {
            let rc = payload.withUnsafeBytes { p in
                key.withUnsafeBytes { k in
                    rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                     UnsafeMutableRawPointer(mutating: p.baseAddress), p.count,
                                     k.baseAddress, k.count, nil)
                }
            }
            if rc == 0 { break }
            rd_kafka_poll(rk, 1)
        }
        if i & 1023 == 0 { rd_kafka_poll(rk, 0) }
    }
    while delivered.pointee < recordCount { rd_kafka_poll(rk, 50) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    rd_kafka_topic_destroy(rkt)
    rd_kafka_destroy(rk)
    delivered.deallocate()
    return Double(recordCount) / seconds
}

/// The wrapper: `send` for each record, delivery reports counted by the batch handler.
func runWrapper(bootstrap: String, topic: String) async throws -> Double {
    let delivered = Atomic<Int>(0)
    let done = AsyncStream<Void>.makeStream()
    let producer = try KafkaProducer(configuration: configuration(bootstrap), logger: logger) { reports in
        var ok = 0
        for r in reports where r.error == nil { ok += 1 }
        if delivered.add(ok, ordering: .relaxed).newValue >= recordCount { done.continuation.finish() }
    }
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<recordCount {
        let record = ProducerRecord(topic: topic, key: keys[i & 63], value: payload)
        while true {
            do { try producer.send(record); break } catch { usleep(500) }
        }
    }
    for await _ in done.stream {}
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    await producer.close()
    return Double(recordCount) / seconds
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

print("producer throughput: \(recordCount) records of \(payload.count) bytes, \(rounds) alternating rounds, embedded cluster")
var raw: [Double] = [], wrapped: [Double] = []
for round in 0..<rounds {
    for order in (round % 2 == 0 ? [0, 1] : [1, 0]) where only == nil || (only == "raw") == (order == 0) {
        let cluster = try EmbeddedKafkaCluster(logger: logger)
        try cluster.createTopic("bench", partitions: 4)
        if order == 0 {
            raw.append(runRaw(bootstrap: cluster.bootstrapServers, topic: "bench"))
        } else {
            wrapped.append(try await runWrapper(bootstrap: cluster.bootstrapServers, topic: "bench"))
        }
    }
    print(String(format: "  round %d: raw %.0f rec/s, wrapper %.0f rec/s", round + 1, raw.last ?? 0, wrapped.last ?? 0))
}
if only != nil { exit(0) }
let ratio = median(wrapped) / median(raw)
print(String(format: "raw rd_kafka_produce: %.0f records/s (median)", median(raw)))
print(String(format: "Swift KafkaProducer:  %.0f records/s (median)", median(wrapped)))
print(String(format: "ratio wrapper/raw:    %.3f (target >= 0.9)", ratio))
