import TestSupport
import HTTPTransport
import Testing

/// One PKI for the suite: generating keys is the slow part.
@Suite(.serialized) struct TLSTests {
    let client = HTTPClient()

    @Test func tls() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }

        try await TestServer.with(tls: [pki.serverCert, pki.serverKey]) { server in
            #expect(server.base.hasPrefix("https://"))

            // Trusted through the test CA: succeeds, by IP and by name (both in the SAN).
            let trusted = HTTPRequest(url: server.url("/json"), tls: TLSOptions(caFile: pki.caFile))
            let response = try await client.send(trusted)
            #expect(response.status == 200)
            #expect(response.header("X-Test") == "yes")
            var byName = trusted
            byName.url = "https://localhost:\(server.port)/json"
            #expect(try await client.send(byName).status == 200)

            // Without the CA: a clear, non-retriable verification failure.
            let error = await #expect(throws: HTTPError.self) {
                try await client.send(HTTPRequest(url: server.url("/json")))
            }
            #expect(error?.curlCode == 60)  // CURLE_PEER_FAILED_VERIFICATION
            #expect(error?.isRetriable == false)
            #expect(error?.message.contains("SSL certificate problem") == true, "\(error?.message ?? "")")

            // Explicitly insecure: accepted.
            let insecure = HTTPRequest(url: server.url("/json"), tls: TLSOptions(insecureSkipVerify: true))
            #expect(try await client.send(insecure).status == 200)
        }

        // Mutual TLS: the server requires a certificate signed by the test CA.
        try await TestServer.with(tls: [pki.serverCert, pki.serverKey, pki.caFile]) { server in
            let withCert = HTTPRequest(url: server.url("/json"), tls: TLSOptions(
                caFile: pki.caFile, clientCertificate: pki.clientCert, clientKey: pki.clientKey))
            let response = try await client.send(withCert)
            #expect(response.status == 200)

            await #expect(throws: HTTPError.self) {
                try await client.send(HTTPRequest(url: server.url("/json"), tls: TLSOptions(caFile: pki.caFile)))
            }
        }
    }
}
