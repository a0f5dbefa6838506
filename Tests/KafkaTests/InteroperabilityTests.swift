import Foundation
import Kafka
import TestSupport
import Testing

/// Clients nobody here wrote must read what we write and write what we read.
@Suite("Interoperability with kcat and kafka-python")
struct InteroperabilityTests {
    static let kcat = which("kcat")
    /// kafka-python 2.0.2 from Debian's python3-kafka lives under the system Python.
    static let systemPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : nil

    @Test("kcat reads records produced from Swift, keys, values and headers intact",
          .enabled(if: kcat != nil, "kcat is not installed (make test installs it)"))
    func kcatReadsSwift() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("to-kcat")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        for i in 0..<3 {
            try producer.send(ProducerRecord(topic: topic, key: "sensor-\(i)", value: "{\"reading\":\(i)}",
                                             headers: [KafkaHeader(key: "source_id", string: "iot")]))
        }
        try await producer.flush()
        let out = try runProcess(Self.kcat!, ["-C", "-b", cluster.bootstrapServers, "-t", topic, "-e", "-q",
                                                   "-o", "beginning", "-f", "%k|%s|%h\\n"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.split(separator: "\n") == [
            "sensor-0|{\"reading\":0}|source_id=iot",
            "sensor-1|{\"reading\":1}|source_id=iot",
            "sensor-2|{\"reading\":2}|source_id=iot",
        ])
        await producer.close()
    }

    @Test("Swift reads records written by kcat -K:, an empty value with -Z being a tombstone",
          .enabled(if: kcat != nil, "kcat is not installed (make test installs it)"))
    func swiftReadsKcat() async throws {
        let cluster = try EmbeddedKafkaCluster()
        let topic = KafkaTesting.uniqueName("from-kcat")
        try cluster.createTopic(topic, partitions: 3)
        let out = try runProcess(Self.kcat!, ["-P", "-b", cluster.bootstrapServers, "-t", topic, "-K:", "-Z",
                                                   "-H", "applied-by=kcat"],
                                      stdin: "noaa:{\"source_type\":\"noaa_weather\"}\nfirms:{\"source_type\":\"nasa_firms\"}\nnoaa:\n")
        #expect(out.status == 0, "\(out.stderr)")
        let records = try await KafkaTesting.readAll(bootstrap: cluster.bootstrapList, topic: topic, partitions: 3, count: 3)
        #expect(records.count == 3)
        let noaa = records.filter { $0.keyString == "noaa" }.sorted { $0.offset < $1.offset }
        #expect(noaa.first?.valueString == "{\"source_type\":\"noaa_weather\"}")
        #expect(noaa.last?.isTombstone == true)
        #expect(records.first { $0.keyString == "firms" }?.header("applied-by")?.stringValue == "kcat")
    }

    static let pythonScript = """
    import json, sys
    from kafka import KafkaProducer, KafkaConsumer
    bs, topic, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "produce":
        p = KafkaProducer(bootstrap_servers=bs)
        for i in range(3):
            p.send(topic, key=b"py-%d" % i, value=b"value-%d" % i, headers=[("origin", b"python")])
        p.send(topic, key=b"py-0", value=None)
        p.flush()
    else:
        c = KafkaConsumer(topic, bootstrap_servers=bs, auto_offset_reset="earliest",
                          consumer_timeout_ms=8000, group_id=None)
        for m in c:
            print(json.dumps({"key": m.key.decode(), "value": None if m.value is None else m.value.decode(),
                              "headers": {k: v.decode() for k, v in m.headers}}), flush=True)
            if m.offset + 1 >= int(sys.argv[4]):
                break
    """

    @Test("kafka-python 2.0.2 and the Swift client read each other's records",
          .enabled(if: systemPython != nil, "no /usr/bin/python3"))
    func kafkaPython() async throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString).py")
        try Self.pythonScript.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let cluster = try EmbeddedKafkaCluster()

        let fromPython = KafkaTesting.uniqueName("from-python")
        try cluster.createTopic(fromPython, partitions: 1)
        let produced = try runProcess(Self.systemPython!, [script.path, cluster.bootstrapServers, fromPython, "produce"])
        #expect(produced.status == 0, "\(produced.stderr)")
        let records = try await KafkaTesting.readAll(bootstrap: cluster.bootstrapList, topic: fromPython, partitions: 1, count: 4)
        #expect(records.map { $0.keyString ?? "" } == ["py-0", "py-1", "py-2", "py-0"])
        #expect(records.map(\.valueString) == ["value-0", "value-1", "value-2", nil])
        #expect(records.first?.header("origin")?.stringValue == "python")

        let toPython = KafkaTesting.uniqueName("to-python")
        try cluster.createTopic(toPython, partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapList), logger: KafkaTesting.logger)
        try producer.send(ProducerRecord(topic: toPython, key: "s1", value: "hello", headers: [KafkaHeader(key: "h", string: "1")]))
        try producer.send(ProducerRecord(topic: toPython, key: "s1", value: nil))
        try await producer.flush()
        let consumed = try runProcess(Self.systemPython!, [script.path, cluster.bootstrapServers, toPython, "consume", "2"])
        #expect(consumed.status == 0, "\(consumed.stderr)")
        let lines = consumed.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            #"{"key": "s1", "value": "hello", "headers": {"h": "1"}}"#,
            #"{"key": "s1", "value": null, "headers": {}}"#,
        ])
        await producer.close()
    }
}
