import Foundation
import HTTPTransport
import Testing

@Suite struct RedactionTests {
    let redaction = Redaction()

    @Test func queryParameters() {
        #expect(redaction.url("https://api.example.com/v1?api_key=abc&x=1") == "https://api.example.com/v1?api_key=REDACTED&x=1")
        #expect(redaction.url("http://h/p?TOKEN=t1&Access_Token=t2&sig=s&signature=s2&MAP_KEY=m&auth=a&password=p&secret=z&apikey=k&key=q&page=2")
            == "http://h/p?TOKEN=REDACTED&Access_Token=REDACTED&sig=REDACTED&signature=REDACTED&MAP_KEY=REDACTED&auth=REDACTED&password=REDACTED&secret=REDACTED&apikey=REDACTED&key=REDACTED&page=2")
        #expect(redaction.url("http://h/p#access_token=xyz&state=1") == "http://h/p#access_token=REDACTED&state=1")
        #expect(redaction.url("http://h/p?q=weather&limit=10") == "http://h/p?q=weather&limit=10")
    }

    @Test func userinfo() {
        #expect(redaction.url("https://user:pw@host/") == "https://REDACTED@host/")
        #expect(redaction.url("https://host:8443/path") == "https://host:8443/path")
    }

    @Test func keyInPath() {
        #expect(redaction.url("https://firms.modaps.eosdis.nasa.gov/api/area/csv/0123456789abcdef0123456789abcdef/VIIRS_NOAA20_NRT/world/1")
            == "https://firms.modaps.eosdis.nasa.gov/api/area/csv/REDACTED/VIIRS_NOAA20_NRT/world/1")
        // Shorter or punctuated segments stay.
        #expect(redaction.url("http://h/abcdefghijklmnopqrstuvw/VIIRS_NOAA20_NRT") == "http://h/abcdefghijklmnopqrstuvw/VIIRS_NOAA20_NRT")
    }

    @Test func headers() {
        let redacted = redaction.headers([
            ("Authorization", "Bearer abc"), ("proxy-authorization", "Basic x"), ("Cookie", "a=b"),
            ("Set-Cookie", "c=d"), ("X-Api-Key", "k"), ("X-Auth-Token", "t"), ("X-Client-Secret", "s"),
            ("Accept", "application/json"), ("User-Agent", "test"),
        ])
        #expect(redacted.map(\.1) == Array(repeating: "REDACTED", count: 7) + ["application/json", "test"])
        #expect(redacted.map(\.0).first == "Authorization")
    }

    @Test func knownSecrets() {
        let redaction = Redaction(secrets: ["s3cr3t", "", "s3cr3t-longer"])
        #expect(redaction.text("a s3cr3t-longer and s3cr3t") == "a REDACTED and REDACTED")
        #expect(redaction.url("http://h/s3cr3t/x?q=s3cr3t") == "http://h/REDACTED/x?q=REDACTED")
        #expect(redaction.headerValue(name: "X-Note", value: "has s3cr3t") == "has REDACTED")
    }

    @Test func errorsNeverShowSecrets() async throws {
        let client = HTTPClient(redaction: Redaction(secrets: ["configured-secret"]))
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://me:hunter2@127.0.0.1:1/configured-secret/0123456789abcdef0123456789abcdef?api_key=abc123xyz&x=1"))
        }
        let description = try #require(error?.description)
        #expect(description.contains("curl error 7"))
        for secret in ["hunter2", "abc123xyz", "configured-secret", "0123456789abcdef0123456789abcdef"] {
            #expect(!description.contains(secret), "\(description)")
        }
        #expect(description.contains("http://REDACTED@127.0.0.1:1/REDACTED/REDACTED?api_key=REDACTED&x=1"))
    }

    @Test func statusErrorsRedactURLAndBody() async throws {
        try await TestServer.with { server in
            let response = try await HTTPClient().send(HTTPRequest(url: server.url("/status/403?token=tok-999")))
            let error = HTTPError.status(response, redaction: Redaction(secrets: ["403 body"]))
            #expect(error.description == "HTTP 403 (GET \(server.url("/status/403?token=REDACTED"))): status REDACTED")
        }
    }

    @Test func aSecretInTheHostIsMaskedInLibcurlsResolverError() async throws {
        // As when a source writes url: "http://${PROBE_SECRET}.invalid:1/x": the value itself is a secret.
        let secret = "probe-\(UUID().uuidString.prefix(8).lowercased())"
        let client = HTTPClient(redaction: Redaction(secrets: [secret, "http://\(secret).invalid:1/x"]))
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://\(secret).invalid:1/x"))
        }
        #expect(error?.curlCode == 6)
        let description = try #require(error?.description)
        #expect(!description.contains(secret), "\(description)")
        #expect(description.contains("Could not resolve host: REDACTED.invalid"), "\(description)")
    }

    @Test func anErrorBodyThatEchoesASecretIsRedactedEscapedAndCut() async throws {
        try await TestServer.with { server in
            let secret = "key-0123456789abcdef"
            let client = HTTPClient(redaction: Redaction(secrets: [secret]))
            let response = try await client.send(HTTPRequest(url: server.url("/echo-status/403"), headers: [("X-Api-Key", secret)]))
            let error = try #require(throws: HTTPError.self) { try response.checked(redaction: client.redaction) }
            let excerpt = try #require(error.bodyExcerpt)
            #expect(excerpt.hasPrefix("denied for key REDACTED éé"), "\(excerpt)")
            #expect(excerpt.hasSuffix("é…"))
            #expect(excerpt.utf8.count <= 200 && excerpt.utf8.count >= 197)
            #expect(!excerpt.contains(secret) && !excerpt.contains("\u{FFFD}"))
            #expect(!error.description.contains(secret))
        }
    }

    @Test func excerptsEscapeControlCharactersAndNeverShowPartOfASecret() {
        let redaction = Redaction(secrets: ["topsecret-value"])
        #expect(BodyExcerpt.make(Array("line1\nline2\r\t\u{1}\u{7f}end".utf8), redaction: redaction)
            == "line1\\nline2\\r\\t\\u{1}\\u{7f}end")
        // A secret straddling the cut: it is replaced before cutting, so no prefix of it shows.
        let body = String(repeating: "a", count: 190) + "topsecret-value" + String(repeating: "b", count: 100)
        let excerpt = BodyExcerpt.make(Array(body.utf8), redaction: redaction)
        #expect(!excerpt.contains("tops") && excerpt.hasSuffix("…") && excerpt.utf8.count <= 200)
        // Many secrets in a row shrink the text: the window grows until the cut is safe.
        let repeated = String(repeating: "topsecret-value,", count: 40)
        let shrunk = BodyExcerpt.make(Array(repeated.utf8), redaction: Redaction(secrets: ["topsecret-value"]), limit: 60)
        #expect(!shrunk.contains("top") && shrunk.hasPrefix("REDACTED,REDACTED,"))
        // Short bodies stay whole; invalid UTF-8 is shown as U+FFFD, never as raw bytes.
        #expect(BodyExcerpt.make(Array("short".utf8), redaction: redaction) == "short")
        #expect(BodyExcerpt.make([0x66, 0xFF, 0x67], redaction: redaction) == "f\u{FFFD}g")
    }

    @Test func shortValuesAreNotMaskedAndEncodedFormsAre() {
        let redaction = Redaction(secrets: ["on", "abc", "pass word/42"])
        #expect(redaction.text("turn on abc") == "turn on abc")  // shorter than 4: masking them would garble messages
        #expect(redaction.text("x=pass%20word/42 y=pass%20word%2F42 z=pass word/42") == "x=REDACTED y=REDACTED z=REDACTED")
        #expect(Redaction.minimumSecretLength == 4)
    }
}
