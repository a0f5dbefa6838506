import Foundation

/// A throwaway CA plus server and client certificates for 127.0.0.1/localhost, made with openssl.
public struct TestPKI: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }
    public var serverCert: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCert: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }

    public static func make() async throws -> TestPKI {
        let directory = NSTemporaryDirectory() + "test-pki-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await runCommand(["openssl", "req", "-x509"] + ec + [
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=StreamManager Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], in: directory)
        try """
            [server]
            subjectAltName = IP:127.0.0.1, DNS:localhost
            basicConstraints = CA:FALSE
            extendedKeyUsage = serverAuth
            [client]
            basicConstraints = CA:FALSE
            extendedKeyUsage = clientAuth
            """.write(toFile: directory + "/ext.cnf", atomically: true, encoding: .utf8)
        for (name, subject) in [("server", "/CN=localhost"), ("client", "/CN=test client")] {
            try await runCommand(["openssl", "req"] + ec + [
                "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject,
            ], in: directory)
            try await runCommand([
                "openssl", "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "\(name).pem", "-days", "2", "-extfile", "ext.cnf", "-extensions", name,
            ], in: directory)
        }
        return TestPKI(directory: directory)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
