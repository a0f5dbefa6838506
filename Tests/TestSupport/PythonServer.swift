import Foundation

/// A small Python HTTP server as a subprocess: the script prints its port on its first line and
/// serves until its stdin closes (its lifeline: it cannot outlive the test process).
public final class PythonServer: @unchecked Sendable {
    public let port: Int
    private let process = Process()

    /// `script` is Python source; it is run with `arguments` after it.
    public init(script: String, arguments: [String] = []) throws {
        let path = NSTemporaryDirectory() + "test-server-\(UUID().uuidString).py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = Pipe()
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("the Python test server did not start")
        }
        self.port = port
    }

    public var base: String { "http://127.0.0.1:\(port)" }

    /// The lines every script starts with: exit when stdin closes.
    /// SIGTERM is unblocked too: a child inherits the test runner's signal mask.
    public static let lifeline = """
        import os, signal, sys, threading
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
        """

    deinit { if process.isRunning { process.terminate() } }
}

/// Python's `http.server` serving one directory: a real HTTP server whose answers a test changes
/// by writing files.
public final class StaticFileServer: @unchecked Sendable {
    public let directory: String
    private let server: PythonServer

    public init() throws {
        directory = NSTemporaryDirectory() + "static-server-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        server = try PythonServer(script: PythonServer.lifeline + """

            import functools
            from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
            class H(SimpleHTTPRequestHandler):
                def log_message(self, *a): pass
            s = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[1]))
            print(s.server_port, flush=True)
            s.serve_forever()
            """, arguments: [directory])
    }

    public var port: Int { server.port }
    public var base: String { server.base }

    /// Writes (replaces) a served file.
    public func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }
}
