import Foundation

/// The broker the process-level suites run against, chosen by the test lane through `TEST_BROKER`:
/// `embedded` (default) is a `stream-manager kafka-dev` process serving librdkafka's mock cluster;
/// `tansu` is a Tansu broker process, an independent implementation of the Kafka protocol. The same test code runs against both, so a difference
/// between them shows up as a failing test rather than as a figure nobody checked.
///
/// Clients of a Tansu broker need librdkafka 2.16: the lane that sets `TEST_BROKER=tansu` also
/// exports the `LD_LIBRARY_PATH` `scripts/tansu.sh env` prints, and every child (the operator,
/// kcat) inherits it. The broker binary is the one `scripts/tansu.sh install` caches.
public final class TestBroker: @unchecked Sendable {
    public enum Kind: String, Sendable {
        case embedded, tansu
    }

    /// The kind this test process runs against. A value the lane misspelled stops the run rather
    /// than testing the default broker twice.
    public static let kind: Kind = {
        guard let name = ProcessInfo.processInfo.environment["TEST_BROKER"] else { return .embedded }
        guard let kind = Kind(rawValue: name) else { fatalError("TEST_BROKER=\(name): expected embedded or tansu") }
        return kind
    }()

    public let bootstrap: String
    private let kafkaDev: StreamManagerBinary.Child?
    private let tansu: Process?
    private let gate: BrokerGate?

    /// Starts a broker of `kind`. `outages: true` puts it behind a gate that `takeDown()` and
    /// `bringBack()` close and open (kafka-dev does that itself on SIGUSR1/SIGUSR2).
    public init(_ kind: Kind = TestBroker.kind, outages: Bool = false) throws {
        switch kind {
        case .embedded:
            let child = try StreamManagerBinary.Child(["kafka-dev", "--log-level", "error"])
            let prefix = "embedded Kafka cluster: bootstrap.servers="
            guard let line = child.waitForLine(prefix: prefix) else {
                _ = child.terminate()
                throw TestFailure("kafka-dev printed no bootstrap line: \(child.stderrText)")
            }
            kafkaDev = child
            bootstrap = String(line.dropFirst(prefix.count))
            tansu = nil
            gate = nil
        case .tansu:
            kafkaDev = nil
            let port = try freePort()
            // Behind a gate the broker listens on one port and advertises the gate's, so every
            // connection (metadata's included) goes through the gate.
            let gate = outages ? try BrokerGate(target: port) : nil
            let advertised = gate?.port ?? port
            tansu = try Self.startTansu(port: port, advertised: advertised)
            self.gate = gate
            bootstrap = "127.0.0.1:\(advertised)"
        }
    }

    /// A Tansu child of this process (memory storage: its data goes with it), answering metadata.
    private static func startTansu(port: Int, advertised: Int) throws -> Process {
        let installed = try runProcess(repository + "/scripts/tansu.sh", ["install"])
        guard installed.status == 0 else { throw TestFailure("scripts/tansu.sh install: \(installed.stderr)") }
        let log = NSTemporaryDirectory() + "tansu-\(port).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repository + "/.cache/tansu/bin/tansu")
        process.arguments = ["broker", "--listener-url", "tcp://127.0.0.1:\(port)",
                             "--advertised-listener-url", "tcp://127.0.0.1:\(advertised)", "--storage-engine", "memory://tansu/"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline {
            if let kcat = which("kcat"),
               (try? runProcess(kcat, ["-L", "-b", "127.0.0.1:\(advertised)", "-m", "3"]))?.status == 0 { return process }
            Thread.sleep(forTimeInterval: 0.1)
        }
        process.terminate()
        throw TestFailure("Tansu on port \(port) did not answer metadata: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    deinit { stop() }

    /// Stops the broker (idempotent).
    public func stop() {
        _ = kafkaDev?.terminate()
        if let tansu, tansu.isRunning {
            tansu.terminate()
            let deadline = Date().addingTimeInterval(10)
            while tansu.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if tansu.isRunning { kill(tansu.processIdentifier, SIGKILL) }
        }
        gate?.stop()
    }

    /// Every broker down: connections cut, new ones refused, as in an outage. The data stays.
    public func takeDown() {
        if let kafkaDev { kill(kafkaDev.process.processIdentifier, SIGUSR1) }
        gate?.close()
    }

    /// The brokers back, with their data.
    public func bringBack() {
        if let kafkaDev { kill(kafkaDev.process.processIdentifier, SIGUSR2) }
        gate?.open()
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}

/// A free TCP port on 127.0.0.1 (the kernel's pick, released for the caller to bind).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestFailure("bind: \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw TestFailure("getsockname: \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
