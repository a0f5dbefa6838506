import Foundation

/// Python's `http.server` serving one directory on 127.0.0.1, as a subprocess: a real HTTP
/// server whose answers a test changes by writing files. It exits when the test process goes
/// (its stdin is its lifeline).
public final class StaticFileServer: @unchecked Sendable {
    public let directory: String
    public let port: Int
    private let process = Process()

    public init() throws {
        directory = NSTemporaryDirectory() + "static-server-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = directory + "/.server.py"
        try """
            import functools, os, sys, threading
            from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
            class H(SimpleHTTPRequestHandler):
                def log_message(self, *a): pass
            threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
            s = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[1]))
            print(s.server_port, flush=True)
            s.serve_forever()
            """.write(toFile: script, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, directory]
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
            throw TestFailure("the static file server did not start")
        }
        self.port = port
    }

    public var base: String { "http://127.0.0.1:\(port)" }

    /// Writes (replaces) a served file.
    public func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    deinit { if process.isRunning { process.terminate() } }
}
