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
}
