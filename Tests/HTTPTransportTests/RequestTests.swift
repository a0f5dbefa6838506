import Foundation
import HTTPTransport
import Testing

@Suite struct RequestTests {
    let client = HTTPClient()

    @Test func getJSON() async throws {
        try await TestServer.with { server in
            let response = try await client.send(HTTPRequest(url: server.url("/json")))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"hello":"world"}"#)
            #expect(response.header("content-type") == "application/json")
            #expect(response.header("X-TEST") == "yes")
            #expect(response.header("missing") == nil)
        }
    }

    @Test func postEchoesBodyAndHeaders() async throws {
        try await TestServer.with { server in
            let request = HTTPRequest(url: server.url("/echo"), method: "POST",
                                      headers: [("X-Custom", "one two"), ("Content-Type", "text/plain")],
                                      body: Array("payload ✓".utf8))
            let response = try await client.send(request)
            let echo = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            let headers = echo?["headers"] as? [String: String]
            #expect(response.status == 200)
            #expect(echo?["method"] as? String == "POST")
            #expect(echo?["body"] as? String == "payload ✓")
            #expect(headers?["x-custom"] == "one two")
            #expect(headers?["content-type"] == "text/plain")
        }
    }

    @Test func putWithBodyUsesThatMethod() async throws {
        try await TestServer.with { server in
            let response = try await client.send(HTTPRequest(url: server.url("/echo"), method: "PUT", body: [0x41]))
            let echo = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            #expect(echo?["method"] as? String == "PUT")
            #expect(echo?["body"] as? String == "A")
        }
    }

    @Test func notFoundIsAResponse() async throws {
        try await TestServer.with { server in
            let response = try await client.send(HTTPRequest(url: server.url("/nowhere")))
            #expect(response.status == 404)
            #expect(String(decoding: response.body, as: UTF8.self) == "not found")
            #expect(throws: HTTPError.self) { try response.checked() }
        }
    }

    @Test func redirectIsFollowed() async throws {
        try await TestServer.with { server in
            let response = try await client.send(HTTPRequest(url: server.url("/redirect")))
            #expect(response.status == 200)
            #expect(response.url == server.url("/json"))
            #expect(response.header("X-Test") == "yes")
            // Only the final response's headers are kept, not the 302's.
            #expect(response.header("Location") == nil)

            let unfollowed = try await client.send(HTTPRequest(url: server.url("/redirect"), followRedirects: false))
            #expect(unfollowed.status == 302)
            #expect(unfollowed.header("Location") == "/json")
        }
    }

    @Test func gzipIsDecoded() async throws {
        try await TestServer.with { server in
            let response = try await client.send(HTTPRequest(url: server.url("/gzip")))
            #expect(response.header("Content-Encoding") == "gzip")
            #expect(response.body == Array(String(repeating: "compressed ", count: 100).utf8))
        }
    }

    @Test func fileURL() async throws {
        let path = NSTemporaryDirectory() + "http-transport-\(UUID().uuidString).bin"
        let content: [UInt8] = (0..<5000).map { UInt8($0 % 251) }
        try Data(content).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let response = try await client.send(HTTPRequest(url: "file://" + path))
        #expect(response.status == 200)
        #expect(response.body == content)

        let missing = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "file://" + path + ".missing"))
        }
        #expect(missing?.curlCode == 37)  // CURLE_FILE_COULDNT_READ_FILE
        #expect(missing?.isRetriable == false)
    }

    @Test func unsupportedProtocolIsNotRetriable() async throws {
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "gopher://127.0.0.1/"))
        }
        #expect(error?.curlCode == 1)  // CURLE_UNSUPPORTED_PROTOCOL
        #expect(error?.isRetriable == false)
    }
}
