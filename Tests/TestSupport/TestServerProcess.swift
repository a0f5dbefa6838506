import Foundation

/// A test server run as a subprocess: the one launcher behind every suite's Python servers.
///
/// The protocol each server follows: it binds 127.0.0.1, writes its port to the port file it is
/// given (atomically: write then rename, so a reader never sees half a number), serves until its
/// stdin reaches EOF (its lifeline: it cannot outlive a crashed test run), and stops on SIGTERM.
/// Its stderr goes to a file, not a pipe: an undrained pipe would block the server once full,
/// and a file can still be read when something goes wrong.
public final class TestServerProcess: Sendable {
    public let port: Int
    private let process: Process
    private let stderrPath: String

    private init(process: Process, port: Int, stderrPath: String) {
        self.process = process
        self.port = port
        self.stderrPath = stderrPath
    }

    /// Starts `python3 <script> <arguments(portFile)>` and waits (without blocking a thread of the
    /// cooperative pool) until the port file holds a port; throws with the server's stderr if the
    /// server exits or takes longer than `timeout`.
    public static func start(script: String, arguments: (_ portFile: String) -> [String] = { [$0] },
                             timeout: Duration = .seconds(20)) async throws -> TestServerProcess {
        let launch = try Launch(script: script, arguments: arguments)
        _ = await eventually(timeout: timeout, every: .milliseconds(25)) { launch.ended }
        return try launch.server(timeout: timeout)
    }

    /// `start` for synchronous callers (the suites that drive processes from a thread of their own).
    public static func startBlocking(script: String, arguments: (_ portFile: String) -> [String] = { [$0] },
                                     timeout: Duration = .seconds(20)) throws -> TestServerProcess {
        let launch = try Launch(script: script, arguments: arguments)
        let deadline = ContinuousClock.now + timeout
        while !launch.ended, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.025) }
        return try launch.server(timeout: timeout)
    }

    /// A started server whose port is not known yet.
    private final class Launch: @unchecked Sendable {
        let name: String, portFile: String, stderrPath: String
        let process = Process()
        var port: Int?

        init(script: String, arguments: (_ portFile: String) -> [String]) throws {
            name = URL(fileURLWithPath: script).deletingPathExtension().lastPathComponent
            let base = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
            portFile = base + ".port"
            stderrPath = base + ".stderr"
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script] + arguments(portFile)
            process.standardInput = Pipe()  // the write end stays open as long as `process` holds it
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: stderrPath)
            try process.run()
        }

        /// Whether the port is known or the server exited.
        var ended: Bool {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8))
                .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return port != nil || !process.isRunning
        }

        func server(timeout: Duration) throws -> TestServerProcess {
            try? FileManager.default.removeItem(atPath: portFile)
            guard let port else {
                if process.isRunning { process.terminate() }
                let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
                throw TestFailure("\(name) did not start within \(timeout)\(process.isRunning ? "" : " (it exited)"): \(stderr)")
            }
            return TestServerProcess(process: process, port: port, stderrPath: stderrPath)
        }
    }

    /// What the server wrote to stderr so far, for a failure message.
    public var stderrText: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` (servers that take commands by signal, such as the broker gate).
    public func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Sends SIGTERM; returns at once.
    public func stop() {
        if process.isRunning { process.terminate() }
    }

    /// Sends SIGTERM and waits until the server has exited (and released its port).
    public func stopAndWait(timeout: Duration = .seconds(10)) async {
        stop()
        _ = await eventually(timeout: timeout, every: .milliseconds(10)) { !self.process.isRunning }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}
