import Foundation
import TestSupport

/// kcat and status helpers the operator tests share: writing config records as any Kafka user
/// would, and reading topics with each record's timestamp, partition and offset.
extension OperatorCommandTests.Cluster {
    struct Record {
        var key: String
        var value: String?
        var timestampMilliseconds: Int64
        var partition: Int
        var offset: Int64

        var json: [String: Any]? {
            value.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    /// `key:value` lines to a topic with kcat (`-K:`), murmur2_random as the README says.
    func produce(_ lines: [String], topic: String = "stream-config") throws {
        try runKcat(["-P", "-b", bootstrap, "-t", topic, "-K:", "-X", "partitioner=murmur2_random"],
                 stdin: lines.joined(separator: "\n") + "\n")
    }

    /// One record whose value is a whole file (multi-line YAML) under `key`.
    func produce(key: String, valueFile: String, topic: String = "stream-config") throws {
        try runKcat(["-P", "-b", bootstrap, "-t", topic, "-k", key, "-X", "partitioner=murmur2_random", valueFile], stdin: "")
    }

    /// A tombstone for `key`.
    func tombstone(_ key: String, topic: String = "stream-config") throws {
        try runKcat(["-P", "-b", bootstrap, "-t", topic, "-K:", "-Z", "-X", "partitioner=murmur2_random"], stdin: "\(key):\n")
    }

    /// Every record of a topic (not compacted), in partition order.
    func detailedRecords(_ topic: String) throws -> [Record] {
        let out = try runKcat(["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-Z",
                            "-f", "%k\u{1F}%T\u{1F}%p\u{1F}%o\u{1F}%s\u{1E}"], stdin: nil)
        return out.split(separator: "\u{1E}").compactMap { entry in
            let f = entry.split(separator: "\u{1F}", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard f.count == 5, let ts = Int64(f[1]), let p = Int(f[2]), let o = Int64(f[3]) else { return nil }
            return Record(key: f[0], value: f[4] == "NULL" ? nil : f[4], timestampMilliseconds: ts, partition: p, offset: o)
        }
    }

    @discardableResult
    func runKcat(_ arguments: [String], stdin: String?) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: OperatorCommandTests.kcat!)
        p.arguments = arguments
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A manager with a `--config` file holding `yaml` (manager-wide settings).
    func manager(_ instance: String, config yaml: String, extra: [String] = []) throws -> StreamManagerBinary.Child {
        try manager(instance, extra: ["--config", OperatorCommandTests.file(yaml)] + extra)
    }
}
