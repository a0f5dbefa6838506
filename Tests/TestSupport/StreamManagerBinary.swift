import Foundation

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
        private var buffer = Data()
        private let lock = NSLock()
        private var lines: [String] = []
        private var errorOutput = Data()

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
                self.lock.lock()
                self.buffer.append(data)
                while let nl = self.buffer.firstIndex(of: 0x0A) {
                    self.lines.append(String(decoding: self.buffer[self.buffer.startIndex..<nl], as: UTF8.self))
                    self.buffer.removeSubrange(self.buffer.startIndex...nl)
                }
                self.lock.unlock()
            }
            // Read stderr as it comes, so a chatty child never blocks on a full pipe.
            stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                self.lock.lock()
                self.errorOutput.append(data)
                self.lock.unlock()
            }
            try process.run()
        }

        /// Everything the child wrote to stderr so far (its logs).
        public var stderrText: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: errorOutput, as: UTF8.self)
        }

        public var stdoutLines: [String] {
            lock.lock()
            defer { lock.unlock() }
            return lines
        }

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
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
