import Foundation
import Synchronization

/// Runs the built `stream-manager` executable as users do: a separate process.
public enum StreamManagerBinary {
    /// The executable sits in the build directory next to the test bundle.
    public static var url: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("stream-manager")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/stream-manager")
        return fallback
    }

    /// A long-running child (kafka-dev, run) whose stdout is read line by line.
    public final class Child: @unchecked Sendable {
        public let process = Process()
        private let stdoutPipe = Pipe()
        private let stderrPipe = Pipe()
        /// What the child wrote so far: stdout split into lines (the partial last one kept apart), stderr whole.
        private struct Output {
            var buffer = Data()
            var lines: [String] = []
            var errorText = Data()
        }
        private let output = Mutex(Output())

        public init(_ arguments: [String], environment: [String: String]? = nil) throws {
            process.executableURL = StreamManagerBinary.url
            process.arguments = arguments
            if let environment {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            }
            process.standardOutput = stdoutPipe
            process.standardError = stderrPipe
            stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                self.output.withLock { o in
                    o.buffer.append(data)
                    while let nl = o.buffer.firstIndex(of: 0x0A) {
                        o.lines.append(String(decoding: o.buffer[o.buffer.startIndex..<nl], as: UTF8.self))
                        o.buffer.removeSubrange(o.buffer.startIndex...nl)
                    }
                }
            }
            // Read stderr as it comes (a full pipe would block the child); keep the last 4 MB.
            stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                self.output.withLock { o in
                    o.errorText.append(data)
                    if o.errorText.count > 4 << 20 { o.errorText.removeFirst(o.errorText.count - (4 << 20)) }
                }
            }
            try process.run()
        }

        /// What the child wrote to stderr so far (its logs).
        public var stderrText: String {
            output.withLock { String(decoding: $0.errorText, as: UTF8.self) }
        }

        /// The port of the `http endpoints: http://127.0.0.1:<port>` line, once printed.
        public var httpPort: Int? {
            guard let line = stdoutLines.first(where: { $0.hasPrefix("http endpoints: ") }) else { return nil }
            return line.split(separator: ":").last.flatMap { Int($0) }
        }

        public var stdoutLines: [String] {
            output.withLock { $0.lines }
        }

        /// Whether the process still runs.
        public var isRunning: Bool { process.isRunning }

        /// Waits for a stdout line with this prefix.
        public func waitForLine(prefix: String, timeout: TimeInterval = 30) -> String? {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let line = stdoutLines.first(where: { $0.hasPrefix(prefix) }) { return line }
                if !process.isRunning { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return stdoutLines.first { $0.hasPrefix(prefix) }
        }

        public func terminate(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) -> Int32? {
            kill(process.processIdentifier, signal)
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            return process.terminationStatus
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    public static func run(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try runProcess(url, arguments, stdin: stdin)
    }
}
