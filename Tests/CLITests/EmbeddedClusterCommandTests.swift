import TestSupport
import Foundation
import Testing

@Suite("kafka-dev and run --bootstrap-servers embedded")
struct EmbeddedClusterCommandTests {
    static let kcat = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) }

    private func metadata(_ bootstrap: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.kcat!)
        p.arguments = ["-L", "-b", bootstrap, "-m", "10"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("kafka-dev prints the bootstrap line first; kcat -L lists the cluster; SIGTERM exits 0",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func kafkaDev() throws {
        let child = try StreamManagerBinary.Child(["kafka-dev", "--brokers", "3"])
        let line = try #require(child.waitForLine(prefix: "embedded Kafka cluster: bootstrap.servers="))
        #expect(child.stdoutLines.first == line)
        let servers = String(line.dropFirst("embedded Kafka cluster: bootstrap.servers=".count))
        #expect(servers.split(separator: ",").count == 3)
        #expect(servers.split(separator: ",").allSatisfy { $0.hasPrefix("127.0.0.1:") })
        let md = try metadata(servers)
        #expect(md.contains(" 3 brokers:"))
        #expect(child.terminate() == 0)
    }

    @Test("run --bootstrap-servers embedded pre-creates the config, status and offsets topics",
          .enabled(if: kcat != nil, "kcat is not installed"))
    func runEmbedded() throws {
        let child = try StreamManagerBinary.Child(["run", "--bootstrap-servers", "embedded", "--log-level", "error", "--http-port", "0"])
        let line = try #require(child.waitForLine(prefix: "embedded Kafka cluster: bootstrap.servers="))
        #expect(child.stdoutLines.first == line)
        let md = try metadata(String(line.dropFirst("embedded Kafka cluster: bootstrap.servers=".count)))
        #expect(md.contains("topic \"stream-config\" with 12 partitions"))
        #expect(md.contains("topic \"stream-status\""))
        #expect(md.contains("topic \"stream-offsets\""))
        #expect(child.terminate() == 0)
    }

    @Test("--help lists every command")
    func help() throws {
        let result = try StreamManagerBinary.run(["--help"])
        #expect(result.status == 0)
        for command in ["run", "apply", "diff", "status", "validate", "kafka-dev"] {
            #expect(result.stdout.contains("  \(command)"))
        }
    }
}
