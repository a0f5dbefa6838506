import Foundation

/// Python's `http.server` serving one directory: a real HTTP server whose answers a test changes
/// by writing files.
public final class StaticFileServer: Sendable {
    public let directory: String
    private let server: TestServerProcess

    private init(directory: String, server: TestServerProcess) {
        self.directory = directory
        self.server = server
    }

    public static func start() async throws -> StaticFileServer {
        let directory = NSTemporaryDirectory() + "static-server-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = try await PythonServer.start(script: PythonServer.prelude + """

            import functools
            from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
            class H(SimpleHTTPRequestHandler):
                def log_message(self, *a): pass
            s = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[2]))
            announce(s.server_port)
            s.serve_forever()
            """, arguments: [directory])
        return StaticFileServer(directory: directory, server: server)
    }

    public var port: Int { server.port }
    public var base: String { "http://127.0.0.1:\(port)" }

    /// Writes (replaces) a served file.
    public func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }
}
