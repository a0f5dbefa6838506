import HTTPTransport
import Testing

@Suite struct ConcurrencyTests {
    let client = HTTPClient()

    @Test func slowResponseDoesNotStarveFastOnes() async throws {
        try await TestServer.with { server in
            let client = client
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: (String, Duration, Int).self) { group in
                group.addTask {
                    let response = try await client.send(HTTPRequest(url: server.url("/slow?ms=2000")))
                    return ("slow", ContinuousClock.now - start, response.status)
                }
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await client.send(HTTPRequest(url: server.url("/json")))
                        return ("fast", ContinuousClock.now - start, response.status)
                    }
                }
                var fast: [Duration] = []
                var slow: Duration?
                for try await (kind, elapsed, status) in group {
                    #expect(status == 200)
                    if kind == "fast" { fast.append(elapsed) } else { slow = elapsed }
                }
                let slowest = try #require(fast.max())
                #expect(fast.count == 20)
                #expect(slowest < .seconds(1), "fast requests done by \(slowest)")
                #expect(try #require(slow) >= .seconds(2))
            }
        }
    }
}
