import Foundation
import StreamConfig
import Testing
@testable import Connectors

/// The cursors `offsets set` accepts, per source type: what is stored is what the connector reads,
/// and anything else is refused naming the expected shape.
@Suite("Cursor shapes: what offsets set accepts for each source type")
struct CursorShapeTests {
    let registry = ConnectorRegistry.shared

    func refusal(_ json: String, _ type: String?) -> String? {
        do {
            _ = try registry.storedCursor(json: json, sourceType: type)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("generator: a non-negative integer, stored as the decimal text the connector reads")
    func generator() throws {
        #expect(try registry.storedCursor(json: "5000", sourceType: "generator") == "5000")
        #expect(try registry.storedCursor(json: " 0 ", sourceType: "generator") == "0")
        #expect(try registry.storedCursor(json: "123456789012", sourceType: "generator") == "123456789012")
        #expect(GeneratorCursor.seq(try registry.storedCursor(json: "42", sourceType: "generator")) == 42)
        for (bad, got) in [("-3", "got -3"), ("1.5", "got 1.5"), ("\"5000\"", "got the string \"5000\""), ("true", "got true"),
                           ("{\"file\":1}", "got an object"), ("null", "got null"), ("[1]", "got an array")] {
            let message = try #require(refusal(bad, "generator"), "\(bad) was accepted")
            #expect(message.contains(got), "\(message)")
            #expect(message.contains("next sequence number `seq`") && message.contains("non-negative integer"), "\(message)")
        }
    }

    @Test("not JSON is refused whatever the type")
    func notJSON() throws {
        for type in ["generator", "file", "http_json", nil] {
            let message = try #require(refusal("{after: 1", type))
            #expect(message.contains("'{after: 1' is not JSON"), "\(message)")
        }
        let long = String(repeating: "x", count: 500)
        let message = try #require(refusal(long, "generator"))
        #expect(message.contains("'\(String(repeating: "x", count: 79))…' is not JSON"), "\(message)")
    }

    @Test("file: exactly {file, offset}, stored as the connector's cursor")
    func file() throws {
        let stored = try registry.storedCursor(json: #"{"offset": 12, "file": "/data/a.csv"}"#, sourceType: "file")
        #expect(stored == #"{"file":"/data/a.csv","offset":12}"#)
        #expect(FileCursor(stored) == FileCursor(file: "/data/a.csv", offset: 12))
        for (bad, got) in [(#"{"file":1}"#, "'file' must be a non-empty string, got 1"),
                           (#"{"file":"a.csv"}"#, "'offset' must be a non-negative integer, got nothing"),
                           (#"{"file":"a.csv","offset":-1}"#, "'offset' must be a non-negative integer, got -1"),
                           (#"{"file":"a.csv","offset":0,"line":3}"#, "unknown key 'line'"),
                           ("7", "got 7")] {
            let message = try #require(refusal(bad, "file"), "\(bad) was accepted")
            #expect(message.contains(got) && message.contains(#"{"file": "<path"#), "\(message)")
        }
    }

    @Test("HTTP types: the HTTP cursor's keys with their kinds; `after` stored as the value itself")
    func http() throws {
        for type in ["http_json", "noaa_weather", "nasa_firms", "iot_sensor"] {
            let stored = try registry.storedCursor(json: #"{"after": 42, "etag": "\"v1\""}"#, sourceType: type)
            #expect(stored == #"{"after":42,"etag":"\"v1\""}"#, "\(type): \(stored)")
            #expect(HTTPJSONCursor(stored) == HTTPJSONCursor(after: .number(42), etag: "\"v1\""))
            let message = try #require(refusal(#"{"after": true}"#, type))
            #expect(message.contains("'after' must be a number or a string, got true") && message.contains("an HTTP cursor"), "\(message)")
        }
        let text = try registry.storedCursor(json: #"{"after": "2026-11-29T10:00:00Z", "seen": {"a1": "v2"}}"#, sourceType: "http_json")
        #expect(HTTPJSONCursor(text).after == .text("2026-11-29T10:00:00Z") && HTTPJSONCursor(text).seen == ["a1": "v2"])
        for (bad, got) in [(#"{"cursor": 1}"#, "unknown key 'cursor'"),
                           (#"{"etag": 5}"#, "'etag' must be a string, got 5"),
                           (#"{"seen": {"a": 1}}"#, "'seen' values must be strings, 'a' is 1"),
                           (#"{"seenByDate": {"yesterday": "AAAAAAAA"}}"#, "'seenByDate' key 'yesterday' is not a YYYY-MM-DD date"),
                           (#"{"seenByDate": {"2026-11-29": "AAAA"}}"#, "'seenByDate' value of 2026-11-29 is not base64 of 6-byte row hashes"),
                           ("[]", "got an array")] {
            let message = try #require(refusal(bad, "nasa_firms"), "\(bad) was accepted")
            #expect(message.contains(got), "\(message)")
        }
        // A FIRMS window as the connector writes it is accepted as it is.
        var window = FIRMSSeenWindow()
        window.insert(Data([1, 2, 3, 4, 5, 6]), on: "2026-11-29")
        let encoded = window.encoded()
        let firms = try registry.storedCursor(json: String(decoding: try SortedJSON.data(["seenByDate": encoded]), as: UTF8.self),
                                              sourceType: "nasa_firms")
        #expect(FIRMSSeenWindow(encoded: HTTPJSONCursor(firms).seenByDate) == window)
    }

    @Test("an HTTP cursor stored before `after` was written as its value still reads")
    func legacyAfter() throws {
        #expect(HTTPJSONCursor(#"{"after":{"number":{"_0":42}},"etag":"x"}"#).after == .number(42))
        #expect(HTTPJSONCursor(#"{"after":{"text":{"_0":"2026-11-29"}}}"#).after == .text("2026-11-29"))
    }

    @Test("a type with no shape of its own takes any JSON, stored compact; cursors show as the JSON they stand for")
    func anyJSON() throws {
        #expect(try registry.storedCursor(json: #"{ "b": 1, "a": [true] }"#, sourceType: "no_such_type") == #"{"a":[true],"b":1}"#)
        #expect(try registry.storedCursor(json: "-3", sourceType: nil) == "-3")
        #expect(CursorJSON.shown("123") as? Int == 123)
        #expect(CursorJSON.text(CursorJSON.shown(#"{"offset":1,"file":"a"}"#)) == #"{"file":"a","offset":1}"#)
        #expect(CursorJSON.shown("not json") as? String == "not json")
    }
}
