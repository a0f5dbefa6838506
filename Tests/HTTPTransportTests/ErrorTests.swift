import Foundation
import HTTPTransport
import Testing

@Suite struct ErrorTests {
    let client = HTTPClient()

    @Test func timeoutIsCurl28AndRetriable() async throws {
        try await TestServer.with { server in
            let start = ContinuousClock.now
            let error = await #expect(throws: HTTPError.self) {
                try await client.send(HTTPRequest(url: server.url("/slow?ms=3000"), timeout: .milliseconds(500)))
            }
            let elapsed = ContinuousClock.now - start
            #expect(error?.curlCode == 28)
            #expect(error?.message.hasPrefix("curl error 28: Operation timed out") == true)
            #expect(error?.isRetriable == true)
            #expect(elapsed >= .milliseconds(450) && elapsed < .milliseconds(1500), "took \(elapsed)")
        }
    }

    @Test func connectionRefused() async throws {
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:1/x"))
        }
        #expect(error?.curlCode == 7)
        #expect(error?.message.hasPrefix("curl error 7: Failed to connect to 127.0.0.1 port 1") == true,
                "\(error?.message ?? "")")
        #expect(error?.isRetriable == true)
        #expect(error?.description.contains("GET http://127.0.0.1:1/x") == true)
    }

    @Test func closedMidBodyIsPartialFile() async throws {
        try await TestServer.with { server in
            let error = await #expect(throws: HTTPError.self) {
                try await client.send(HTTPRequest(url: server.url("/truncated")))
            }
            #expect(error?.curlCode == 18)
            #expect(error?.isRetriable == true)
        }
    }

    @Test func statusErrors() async throws {
        try await TestServer.with { server in
            let tooMany = try await client.send(HTTPRequest(url: server.url("/status/429?retry_after=2")))
            #expect(tooMany.status == 429)
            let error = try #require(throws: HTTPError.self) { try tooMany.checked() }
            #expect(error.status == 429)
            #expect(error.retryAfter == .seconds(2))
            #expect(error.isRetriable)
            #expect(error.bodyExcerpt == "status 429 body")
            #expect(error.description == "HTTP 429 (GET \(server.url("/status/429?retry_after=2"))): status 429 body")

            let serverError = try await client.send(HTTPRequest(url: server.url("/status/500")))
            #expect(HTTPError.status(serverError).isRetriable)
            #expect(HTTPError.status(serverError).retryAfter == nil)

            let badRequest = try await client.send(HTTPRequest(url: server.url("/status/400")))
            #expect(!HTTPError.status(badRequest).isRetriable)
            #expect(HTTPError.status(badRequest).status == 400)
        }
    }

    @Test func retriabilityTable() {
        for status in [408, 425, 429, 500, 502, 503, 504] { #expect(HTTPError.isRetriable(.status(status)), "\(status)") }
        for status in [400, 401, 403, 404, 409, 422, 501] { #expect(!HTTPError.isRetriable(.status(status)), "\(status)") }
        for code in [5, 6, 7, 18, 28, 52, 55, 56] { #expect(HTTPError.isRetriable(.transport(curlCode: code)), "\(code)") }
        // unsupported protocol, malformed URL, peer verification, bad CA file, too many redirects
        for code in [1, 3, 60, 77, 47] { #expect(!HTTPError.isRetriable(.transport(curlCode: code)), "\(code)") }
        #expect(!HTTPError.isRetriable(.cancelled))
    }

    @Test func retryAfterAsHTTPDate() throws {
        let response = HTTPResponse(status: 503, headers: [("retry-after", "Wed, 21 Oct 2099 07:28:00 GMT")],
                                    body: [], url: "http://x/")
        let delay = try #require(HTTPError.status(response).retryAfter)
        let expected = Date(timeIntervalSince1970: 4_096_250_880).timeIntervalSinceNow
        #expect(abs(Double(delay.components.seconds) - expected) < 5)

        let past = HTTPResponse(status: 503, headers: [("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")], body: [], url: "http://x/")
        #expect(HTTPError.status(past).retryAfter == .zero)
        let garbage = HTTPResponse(status: 503, headers: [("Retry-After", "soon")], body: [], url: "http://x/")
        #expect(HTTPError.status(garbage).retryAfter == nil)
    }

    @Test func malformedURLIsNotRetriable() async throws {
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://[::1"))
        }
        #expect(error?.curlCode == 3)
        #expect(error?.isRetriable == false)
    }
}
