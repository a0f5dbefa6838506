import Foundation
import HTTPTransport
import Synchronization
import Testing

/// A request with a target check: the URL and every redirect are checked on libcurl's own
/// parse before anything is sent there; redirects are followed hop by hop.
@Suite struct TargetCheckTests {
    let client = HTTPClient()

    /// Allows only 127.0.0.1 (any port) over HTTP; records what it was asked about.
    final class Recorder: Sendable {
        private let seen = Mutex<[RequestTarget]>([])
        var targets: [RequestTarget] { seen.withLock { $0 } }
        var check: TargetCheck {
            { [self] target in
                seen.withLock { $0.append(target) }
                if target.scheme != "http" { return "scheme \(target.scheme) refused" }
                return target.host == "127.0.0.1" ? nil : "host '\(target.host)' refused"
            }
        }
    }

    @Test func theURLItselfIsChecked() async throws {
        let recorder = Recorder()
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://Internal.Example:8080/admin?x=1", targetCheck: recorder.check))
        }
        #expect(error?.kind == .refused)
        #expect(error?.isRetriable == false)
        #expect(error?.message == "refused: host 'internal.example' refused")
        #expect(recorder.targets.map(\.host) == ["internal.example"])
        #expect(recorder.targets.first?.port == 8080)
        #expect(recorder.targets.first?.isRedirect == false)
    }

    @Test func fileURLsAreCheckedOnTheirDecodedPath() async throws {
        let recorder = Recorder()
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "file:///tmp/%2e%2e/etc/passwd", targetCheck: recorder.check))
        }
        #expect(error?.kind == .refused)
        let target = try #require(recorder.targets.first)
        #expect(target.scheme == "file" && target.host.isEmpty)
        #expect(target.path.hasSuffix("/etc/passwd"))
    }

    @Test func anAllowedRedirectIsFollowedHopByHop() async throws {
        try await TestServer.with { server in
            let recorder = Recorder()
            let response = try await client.send(HTTPRequest(url: server.url("/redirect?to=/redirect%3Fto%3D/json"),
                                                             targetCheck: recorder.check))
            #expect(response.status == 200)
            #expect(response.url == server.url("/json"))
            #expect(response.header("X-Test") == "yes" && response.header("Location") == nil)
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"hello":"world"}"#)
            #expect(recorder.targets.map(\.isRedirect) == [false, true, true])
            #expect(recorder.targets.last?.path == "/json")
        }
    }

    @Test func aRedirectToADisallowedHostIsRefusedBeforeAnythingIsSentThere() async throws {
        try await TestServer.with { server in
            let recorder = Recorder()
            let away = "http://localhost:\(server.port)/json?token=s3cr3t-token"
            let request = HTTPRequest(url: server.url("/redirect?to=\(away.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"),
                                      targetCheck: recorder.check)
            let error = await #expect(throws: HTTPError.self) { try await client.send(request) }
            #expect(error?.kind == .refused)
            #expect(error?.message == "refused redirect to http://localhost:\(server.port)/json?token=REDACTED: host 'localhost' refused",
                    "\(error?.message ?? "")")
            #expect(error?.description.contains("s3cr3t-token") == false)
            #expect(recorder.targets.last?.isRedirect == true)

            // Streaming: the same refusal ends the stream; no head of the redirect is delivered.
            var heads = 0
            let streamed = await #expect(throws: HTTPError.self) {
                for try await event in client.stream(request) { if case .head = event { heads += 1 } }
            }
            #expect(streamed?.kind == .refused && heads == 0)
        }
    }

    @Test func aRedirectToFileIsNeverFollowed() async throws {
        try await TestServer.with { server in
            let allowAll: TargetCheck = { _ in nil }
            let error = await #expect(throws: HTTPError.self) {
                try await client.send(HTTPRequest(url: server.url("/redirect?to=file:///etc/passwd"), targetCheck: allowAll))
            }
            #expect(error?.kind == .refused)
            #expect(error?.message == "refused redirect to file:///etc/passwd: a redirect to a file:// URL is never followed")
        }
    }

    @Test func credentialsStayWithTheirOriginAndMethodsChangeAsLibcurlWould() async throws {
        try await TestServer.with { server in
            let allowAll: TargetCheck = { _ in nil }
            let headers = [("X-Api-Key", "k-123456"), ("Authorization", "Bearer t"), ("X-Note", "kept")]
            // Same origin: every header goes along.
            let same = try await client.send(HTTPRequest(url: server.url("/redirect?to=/echo"), headers: headers, targetCheck: allowAll))
            let sameHeaders = try #require(Self.echoedHeaders(same))
            #expect(sameHeaders["x-api-key"] == "k-123456" && sameHeaders["authorization"] == "Bearer t")
            // Another host (localhost is not 127.0.0.1 as an origin): credentials are dropped.
            let other = "http://localhost:\(server.port)/echo"
            let away = try await client.send(HTTPRequest(url: server.url("/redirect?to=\(other)"), headers: headers, targetCheck: allowAll))
            let awayHeaders = try #require(Self.echoedHeaders(away))
            #expect(awayHeaders["x-api-key"] == nil && awayHeaders["authorization"] == nil)
            #expect(awayHeaders["x-note"] == "kept")
            // 303 after a POST is a GET without the body; 307 keeps the method and the body.
            let seeOther = try await client.send(HTTPRequest(url: server.url("/redirect?to=/echo&code=303"), method: "POST",
                                                             body: Array("payload".utf8), targetCheck: allowAll))
            #expect(Self.echo(seeOther)?["method"] as? String == "GET")
            let temporary = try await client.send(HTTPRequest(url: server.url("/redirect?to=/echo&code=307"), method: "POST",
                                                              body: Array("payload".utf8), targetCheck: allowAll))
            #expect(Self.echo(temporary)?["method"] as? String == "POST" && Self.echo(temporary)?["body"] as? String == "payload")
        }
    }

    @Test func redirectsAreCountedAsLibcurlCountsThem() async throws {
        try await TestServer.with { server in
            let allowAll: TargetCheck = { _ in nil }
            let error = await #expect(throws: HTTPError.self) {
                try await client.send(HTTPRequest(url: server.url("/redirect?to=/redirect%3Fto%3D/json"), maxRedirects: 1,
                                                  targetCheck: allowAll))
            }
            #expect(error?.curlCode == 47 && error?.message == "curl error 47: Maximum (1) redirects followed")
            let unfollowed = try await client.send(HTTPRequest(url: server.url("/redirect"), followRedirects: false,
                                                               targetCheck: allowAll))
            #expect(unfollowed.status == 302 && unfollowed.header("Location") == "/json")
        }
    }

    static func echo(_ response: HTTPResponse) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    }

    static func echoedHeaders(_ response: HTTPResponse) -> [String: String]? {
        echo(response)?["headers"] as? [String: String]
    }
}
