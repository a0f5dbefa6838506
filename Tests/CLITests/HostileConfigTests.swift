import TestSupport
import Foundation
import Testing

/// Records that once crashed the operator (and, staying in the topic, crashed it again after
/// every restart), written with kcat as anyone could: the manager stays up, reports each one
/// REJECTED with the key and its range, and keeps serving the sources written after them.
@Suite("Hostile config records and documents", .serialized)
struct HostileConfigTests {
    static let kcat = EmbeddedClusterCommandTests.kcat
    static let python = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A 100 KB string, a list of 1,000 aliases to it, and 190 aliases to that list: 108 KB
    /// of YAML that stands for 19 GB.
    static let aliasBomb: String = {
        let s = String(repeating: "B", count: 102_400)
        let l1 = Array(repeating: "*big", count: 1_000).joined(separator: ",")
        let x = Array(repeating: "*l1", count: 190).joined(separator: ",")
        return "source_type: generator\ntopic: p\nbig: &big \"\(s)\"\nl1: &l1 [\(l1)]\nconnector:\n  x: [\(x)]\n"
    }()

    /// Source id → (record value, what its rejection must say).
    static let hostile: [(id: String, value: String, expected: [String])] = [
        ("payload_max", #"{"source_type":"generator","topic":"t","connector":{"payload_bytes":9223372036854775807}}"#,
         ["connector.payload_bytes", "must be between 0 and 1048576 bytes"]),
        ("polling_huge", #"{"source_type":"generator","topic":"t","ingestion":{"polling_interval_seconds":1e16}}"#,
         ["ingestion.polling_interval_seconds", "must be between 0.01 and 31536000 seconds, got 1e+16"]),
        ("timeout_huge", #"{"source_type":"generator","topic":"t","timeout_seconds":1e308}"#,
         ["timeout_seconds", "must be between 0.01 and 3600 seconds"]),
        ("rate_huge", #"{"source_type":"generator","topic":"t","connector":{"rate_per_second":1e20}}"#,
         ["connector.rate_per_second", "must be between 0 and 1000000000 records per second"]),
        ("per_poll_max", #"{"source_type":"generator","topic":"t","ingestion":{"max_records_per_poll":9223372036854775807},"connector":{"rate_per_second":0}}"#,
         ["ingestion.max_records_per_poll", "must be between 1 and 1000000 records"]),
        ("polling_tiny", #"{"source_type":"generator","topic":"t","ingestion":{"polling_interval_seconds":0.0001}}"#,
         ["ingestion.polling_interval_seconds", "got 0.0001"]),
        ("timeout_nan", "source_type: generator\ntopic: t\ntimeout_seconds: .nan\n",
         ["timeout_seconds", "must be between 0.01 and 3600 seconds, got .nan"]),
        ("alias_bomb", aliasBomb, ["expands to more than 1048576 bytes"]),
    ]

    /// One record to the config topic; the value comes from a file so that a multi-line YAML
    /// value is one record (kcat sends each file as one message).
    static func produce(_ bootstrap: String, key: String, value: String) throws {
        let path = NSTemporaryDirectory() + "record-\(UUID().uuidString)"
        try value.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: kcat!)
        p.arguments = ["-P", "-b", bootstrap, "-t", "stream-config", "-k", key, "-X", "partitioner=murmur2_random", path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "kcat could not write \(key)")
    }

    @Test("the reported crash records and the alias bomb are REJECTED with the key and range; the manager keeps serving",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func hostileRecords() throws {
        let cluster = try OperatorCommandTests.Cluster()
        let manager = try cluster.manager("hostile-1")
        for record in Self.hostile {
            try Self.produce(cluster.bootstrap, key: record.id, value: record.value)
        }
        let ids = Self.hostile.map(\.id)
        let rejected = try cluster.waitStatus(timeout: 60) { s in ids.allSatisfy { s[$0]?["state"] as? String == "REJECTED" } }
        #expect(manager.process.isRunning, "the manager died")
        for record in Self.hostile {
            let status = rejected[record.id]
            #expect(status?["state"] as? String == "REJECTED", "\(record.id): \(String(describing: status))")
            let error = (status?["rejected"] as? [String: Any])?["error"] as? String ?? ""
            for text in record.expected {
                #expect(error.contains(text), "\(record.id): \(error)")
            }
        }

        // A good source written after them runs promptly.
        let written = Date()
        try Self.produce(cluster.bootstrap, key: "late", value: #"{"source_type":"generator","topic":"late-data","connector":{"rate_per_second":5}}"#)
        let running = try cluster.waitStatus(timeout: 30) { $0["late"]?["state"] as? String == "RUNNING" }
        let took = Date().timeIntervalSince(written)
        #expect(running["late"]?["state"] as? String == "RUNNING")
        #expect(took < 8, "late reached RUNNING \(took) s after it was written")
        #expect(manager.process.isRunning)
        #expect(manager.terminate() == 0)
    }

    @Test("validate refuses a 50 MB file within 2 s, without reading it whole",
          .enabled(if: python != nil, "python3 is not installed"))
    func hugeFile() throws {
        let path = NSTemporaryDirectory() + "huge-\(UUID().uuidString).yaml"
        let entry = Data("  k: \"\(String(repeating: "v", count: 1000))\"\n".utf8)
        var data = Data("sources:\n".utf8)
        data.reserveCapacity(50 << 20)
        while data.count < 50 << 20 { data.append(entry) }
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        // A fresh Python process runs validate and reports its own child's peak memory, so
        // nothing else this test process has started counts.
        let script = """
            import resource, subprocess, sys, time
            start = time.monotonic()
            r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            elapsed = time.monotonic() - start
            print(r.returncode, elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            sys.stdout.write(r.stdout.decode())
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.python!)
        p.arguments = ["-c", script, StreamManagerBinary.url.path, "validate", path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let lines = output.split(separator: "\n")
        let fields = try #require(lines.first).split(separator: " ")
        let (status, seconds, kilobytes) = (Int(fields[0]), Double(fields[1]) ?? .infinity, Int(fields[2]) ?? .max)
        #expect(status == 1, "\(output)")
        #expect(seconds < 2, "validate took \(seconds) s")
        #expect(kilobytes < 200 * 1024, "validate peaked at \(kilobytes / 1024) MB")
        #expect(lines.dropFirst().joined().contains("the document is larger than 8388608 bytes (8 MiB)"), "\(output)")
    }
}
