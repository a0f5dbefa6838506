import Foundation
import HTTPTransport
import TestSupport
import Testing

@Suite struct StreamingTests {
    let client = HTTPClient()

    @Test func chunksArriveOneByOne() async throws {
        try await TestServer.with { server in
            let start = ContinuousClock.now
            var head: (Int, [(String, String)])?
            var chunks: [(String, Duration)] = []
            for try await event in client.stream(HTTPRequest(url: server.url("/chunks?n=5&ms=200"))) {
                switch event {
                case .head(let status, let headers):
                    #expect(chunks.isEmpty, "head comes first")
                    head = (status, headers)
                case .body(let bytes):
                    chunks.append((String(decoding: bytes, as: UTF8.self), ContinuousClock.now - start))
                }
            }
            #expect(head?.0 == 200)
            #expect(head?.1.first { $0.0.lowercased() == "transfer-encoding" }?.1 == "chunked")
            #expect(chunks.map(\.0).joined() == (0..<5).map { "chunk \($0)\n" }.joined())
            #expect(chunks.count >= 4, "chunks sent 200 ms apart arrive separately")
            let first = try #require(chunks.first).1, last = try #require(chunks.last).1
            #expect(last - first >= .milliseconds(600), "first at \(first), last at \(last)")
        }
    }

    @Test func cancellingTheConsumerAbortsTheTransfer() async throws {
        try await TestServer.with { server in
            let id = UUID().uuidString
            let client = client
            let consumer = Task {
                var received = 0
                for try await event in client.stream(HTTPRequest(url: server.url("/chunks?n=50&ms=200&id=\(id)"))) {
                    if case .body = event { received += 1 }
                }
                return received
            }
            try await Task.sleep(for: .milliseconds(500))  // the test: cancelled mid-transfer, a few chunks in
            let cancelledAt = ContinuousClock.now
            consumer.cancel()
            let received = try await consumer.value
            #expect(received >= 1 && received < 10)
            #expect(ContinuousClock.now - cancelledAt < .milliseconds(300), "the consumer returns at once")

            // The server notices the closed connection on its next write or two (200 ms apart).
            var outcome = ""
            try await eventually(timeout: .seconds(2)) {
                outcome = String(decoding: try await client.send(HTTPRequest(url: server.url("/outcome?id=\(id)"))).body,
                                 as: UTF8.self)
                return outcome != "running"
            }
            #expect(outcome == "aborted")
            #expect(ContinuousClock.now - cancelledAt < .seconds(1.5))
        }
    }

    @Test func cancellingSendAbortsItPromptly() async throws {
        try await TestServer.with { server in
            let client = client
            let task = Task { try await client.send(HTTPRequest(url: server.url("/slow?ms=5000"))) }
            try await Task.sleep(for: .milliseconds(200))  // the test: cancelled while the request is in flight
            let cancelledAt = ContinuousClock.now
            task.cancel()
            let result = await task.result
            // While idle, libcurl runs the progress callback about once a second.
            #expect(ContinuousClock.now - cancelledAt < .milliseconds(1500))
            #expect(throws: HTTPError.self) { try result.get() }
            if case .failure(let error as HTTPError) = result { #expect(error.kind == .cancelled) }
        }
    }

    @Test func streamReportsTransportErrors() async throws {
        try await TestServer.with { server in
            var body: [UInt8] = []
            let error = await #expect(throws: HTTPError.self) {
                for try await event in client.stream(HTTPRequest(url: server.url("/truncated"))) {
                    if case .body(let bytes) = event { body += bytes }
                }
            }
            #expect(error?.curlCode == 18)
            #expect(String(decoding: body, as: UTF8.self) == "only ten b")
        }
    }
}
