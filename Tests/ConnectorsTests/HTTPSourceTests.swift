import Foundation
@testable import Connectors
import Pipeline
import StreamConfig
import Testing

/// The HTTP source types against a real local server (Server/fixture_server.py): fixtures in the
/// real formats, and the ways real APIs misbehave.
@Suite("HTTP source types against a real server")
struct HTTPSourceTests {
    func connector(_ type: String, _ settings: ConfigObject, timeout: Double = 5) throws -> any SourceConnector {
        let source = SourceConfig(sourceType: type, topic: "t", timeoutSeconds: timeout, connector: settings)
        return try ConnectorRegistry.shared.makeConnector(sourceID: "s", source: source, environment: ["FIRMS_MAP_KEY": "0123456789abcdef0123456789abcdef"],
                                                          access: SourceAccessPolicy(env: ["FIRMS_MAP_KEY"]))
    }

    func keys(_ r: FetchResult) -> [String] { r.records.map { String(decoding: $0.key ?? [], as: UTF8.self) } }

    func connectorError(_ body: () async throws -> Void) async -> ConnectorError? {
        do { try await body() } catch let e as ConnectorError { return e } catch { Issue.record("\(error)") }
        return nil
    }

    @Test("http_json follows next_url_path; a full fetch stops between pages and the cursor resumes at the next page")
    func pagination() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let settings: ConfigObject = ["url": .string("\(server.base)/pages/3"), "records_path": "data.items", "key_path": "id",
                                      "next_url_path": "pagination.next"]
        let all = try await connector("http_json", settings).fetch(FetchRequest(cursor: nil, maxRecords: 100))
        #expect(keys(all) == (0..<30).map(String.init))
        #expect(!all.hasMore && HTTPJSONCursor(all.nextCursor).nextURL == nil)
        let c = try connector("http_json", settings)
        let first = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 15))
        #expect(first.records.count == 20 && first.hasMore)
        #expect(HTTPJSONCursor(first.nextCursor).nextURL?.hasSuffix("page=3") == true)
        let rest = try await connector("http_json", settings).fetch(FetchRequest(cursor: first.nextCursor, maxRecords: 15))
        #expect(keys(rest) == (20..<30).map(String.init))
    }

    @Test("http_json format: csv reads RFC 4180: a quoted field holding a comma and a line break is one value of one row")
    func csvQuotedLineBreak() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let c = try connector("http_json", ["url": .string("\(server.base)/fixtures/remarks.csv"), "format": "csv",
                                            "key_path": "station"])
        let r = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 10))
        #expect(keys(r) == ["S1", "S2"])
        let first = try JSONSerialization.jsonObject(with: Data(r.records[0].value)) as? [String: Any]
        #expect(first?["remark"] as? String == "gusty, then\r\ncalm" && first?["pm25"] as? Double == 12.5)
        let second = try JSONSerialization.jsonObject(with: Data(r.records[1].value)) as? [String: Any]
        #expect(second?["remark"] as? String == "a \"quoted\" word")
    }

    @Test("http_json cursor_field: a second poll of the same data emits nothing; POST sends its body")
    func cursorFieldAndPost() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let c = try connector("http_json", ["url": .string("\(server.base)/pages/1"), "records_path": "data.items",
                                            "cursor_field": "id"])
        let first = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 100))
        #expect(first.records.count == 10 && HTTPJSONCursor(first.nextCursor).after == .number(9))
        #expect(try await c.fetch(FetchRequest(cursor: first.nextCursor, maxRecords: 100)).records.isEmpty)
        let post = try await connector("http_json", ["url": .string("\(server.base)/echo"), "method": "POST",
                                                     "body": .object(["q": "fires"]), "records_path": "items"])
            .fetch(FetchRequest(cursor: nil, maxRecords: 10))
        let echoed = try JSONSerialization.jsonObject(with: Data(post.records[0].value)) as? [String: Any]
        #expect(echoed?["method"] as? String == "POST" && echoed?["body"] as? String == #"{"q":"fires"}"#)
    }

    @Test("noaa_weather: one record per alert keyed by id; the next poll is a conditional request answered 304 (nothing new)")
    func noaaConditional() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let c = try connector("noaa_weather", ["url": .string("\(server.base)/fixtures/nws_alerts_active.json"),
                                               "user_agent": "stream-manager-tests (ops@example.org)"])
        let first = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 100))
        #expect(keys(first) == ["urn:oid:2.49.0.1.840.0.aa11.001.1", "urn:oid:2.49.0.1.840.0.bb22.002.1"])
        let second = try await c.fetch(FetchRequest(cursor: first.nextCursor, maxRecords: 100))
        #expect(second.records.isEmpty && second.notModified)
        let requests = try await server.requests().filter { ($0["path"] as? String)?.hasPrefix("/fixtures") == true }
        let headers = requests.compactMap { $0["headers"] as? [String: String] }
        #expect(headers.first?["User-Agent"] == "stream-manager-tests (ops@example.org)")
        #expect(headers.first?["Accept"] == "application/geo+json")
        #expect(headers.last?["If-None-Match"] != nil)
    }

    @Test("nasa_firms: CSV rows by hashed key, rows already sent are not sent again; an invalid MAP_KEY is a clear, final error without the key")
    func firms() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let c = try connector("nasa_firms", ["url": .string("\(server.base)/flaky/0/firms_viirs.csv")])
        let first = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 100))
        #expect(first.records.count == 3)
        // A different URL each time defeats the ETag: the dedupe in the cursor does the work.
        let again = try await connector("nasa_firms", ["url": .string("\(server.base)/fixtures/firms_viirs.csv")])
            .fetch(FetchRequest(cursor: first.nextCursor, maxRecords: 100))
        #expect(again.records.isEmpty)
        let invalid = try connector("nasa_firms", ["url": .string("\(server.base)/firms-invalid/0123456789abcdef0123456789abcdef/VIIRS_NOAA20_NRT/world/1"),
                                                   "map_key": "${FIRMS_MAP_KEY}"])
        let error = await connectorError { _ = try await invalid.fetch(FetchRequest(cursor: nil, maxRecords: 10)) }
        #expect(error?.isRetriable == false)
        #expect(error?.message.contains("Invalid MAP_KEY") == true)
        #expect(error?.message.contains("0123456789abcdef0123456789abcdef") == false)
    }

    @Test("iot_sensor: PurpleAir's columnar shape, one record per sensor")
    func iot() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let r = try await connector("iot_sensor", ["url": .string("\(server.base)/fixtures/purpleair_sensors.json"),
                                                   "fields_path": "fields", "data_path": "data",
                                                   "headers": .object(["X-API-Key": "k"])])
            .fetch(FetchRequest(cursor: nil, maxRecords: 10))
        #expect(keys(r) == ["134210", "66167"])
    }

    @Test("misbehaving servers: 500s are retried by the fetch policy until success; 429 carries Retry-After")
    func retries() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let flaky = try connector("noaa_weather", ["url": .string("\(server.base)/flaky/2/nws_alerts_active.json")])
        let api = FetchPolicy(sourceID: "s", connector: flaky, limiter: TokenBucket(ratePerMinute: nil),
                              settings: .init(timeout: .seconds(5), maxRetries: 3, retryBackoffBase: .milliseconds(20)))
        let result = try await api.fetch(FetchRequest(cursor: nil, maxRecords: 10))
        #expect(result.records.count == 2)
        #expect(api.metrics.totalRequests >= 1)
        let limited = try connector("noaa_weather", ["url": .string("\(server.base)/ratelimited/nws_alerts_active.json")])
        let error = await connectorError { _ = try await limited.fetch(FetchRequest(cursor: nil, maxRecords: 10)) }
        #expect(error?.isRetriable == true && error?.retryAfter == .seconds(1))
        #expect(error?.message.contains("HTTP 429") == true)
    }

    @Test("timeouts, a connection closed mid-body and truncated JSON are retriable errors; NWS problem+json is reported readably")
    func failures() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let slow = try connector("noaa_weather", ["url": .string("\(server.base)/slow/3/nws_alerts_active.json")], timeout: 1)
        let started = ContinuousClock.now
        let timedOut = await connectorError { _ = try await slow.fetch(FetchRequest(cursor: nil, maxRecords: 10)) }
        #expect(timedOut?.isRetriable == true && timedOut?.message.contains("curl error 28") == true)
        #expect(ContinuousClock.now - started < .seconds(2.5))
        let cut = await connectorError {
            _ = try await self.connector("noaa_weather", ["url": .string("\(server.base)/truncated")]).fetch(FetchRequest(cursor: nil, maxRecords: 10))
        }
        #expect(cut?.isRetriable == true && cut?.message.contains("curl error 18") == true)
        let bad = await connectorError {
            _ = try await self.connector("noaa_weather", ["url": .string("\(server.base)/badjson")]).fetch(FetchRequest(cursor: nil, maxRecords: 10))
        }
        #expect(bad?.isRetriable == true && bad?.message.contains("not valid JSON") == true)
        let problem = await connectorError {
            _ = try await self.connector("noaa_weather", ["url": .string("\(server.base)/problem")]).fetch(FetchRequest(cursor: nil, maxRecords: 10))
        }
        #expect(problem?.isRetriable == false)
        #expect(problem?.message.contains(#"NWS: Bad Request: Parameter "area" is invalid (correlationId 4a1f9c)"#) == true)
    }

    @Test("a huge response (100,000 records, about 7 MB) is read whole")
    func huge() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let r = try await connector("http_json", ["url": .string("\(server.base)/huge/100000"), "records_path": "items", "key_path": "id"])
            .fetch(FetchRequest(cursor: nil, maxRecords: 1_000_000))
        #expect(r.records.count == 100_000 && keys(r).last == "99999")
    }
}
