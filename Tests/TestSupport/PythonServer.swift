import Foundation

/// Test servers written inline as Python source, run by `TestServerProcess`.
public enum PythonServer {
    /// Writes `script` to a temporary file and runs it as `script <port file> <arguments…>`. The
    /// script starts with `prelude` and calls `announce(port)` once listening.
    public static func start(script: String, arguments: [String] = []) async throws -> TestServerProcess {
        let path = NSTemporaryDirectory() + "test-server-\(UUID().uuidString).py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        return try await TestServerProcess.start(script: path, arguments: { [$0] + arguments })
    }

    /// The lines every inline script starts with: exit when stdin closes; SIGTERM unblocked (a
    /// child inherits the test runner's signal mask); `announce(port)` writes the port file, and
    /// `sys.argv[2:]` are the script's own arguments.
    public static let prelude = """
        import os, signal, sys, threading
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
        def announce(port):
            with open(sys.argv[1] + ".tmp", "w") as f:
                f.write(str(port))
            os.rename(sys.argv[1] + ".tmp", sys.argv[1])
        """
}
