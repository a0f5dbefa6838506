import Foundation
@testable import Connectors
import Pipeline
import StreamConfig
import Testing

@Suite("HTTP responses to records")
struct ResponseRecordsTests {
    func settings(_ configure: (inout HTTPJSONSettings) -> Void) -> HTTPJSONSettings {
        var s = HTTPJSONSettings(url: "http://example.invalid/")
        configure(&s)
        return s
    }

    @Test("records_path, key_path, timestamp_path, cursor_field and next_url_path")
    func paths() throws {
        let body = Array(#"""
        {"data":{"items":[{"id":7,"at":"2026-11-29T10:00:00Z","v":1.5},{"id":"x8","at":1795900000,"v":null}]},
         "pagination":{"next":"http://example.invalid/?page=2"}}
        """#.utf8)
        let s = settings {
            $0.recordsPath = "data.items"; $0.keyPath = "id"; $0.timestampPath = "at"
            $0.cursorField = "id"; $0.nextURLPath = "pagination.next"
        }
        let (records, next) = try ResponseRecords.extract(body, settings: s)
        #expect(records.map(\.key) == ["7", "x8"])
        #expect(records.map(\.eventTimeMilliseconds) == [1_795_946_400_000, 1_795_900_000_000])
        #expect(records.map(\.cursorValue) == [.number(7), .text("x8")])
        #expect(next == "http://example.invalid/?page=2")
        #expect(String(decoding: records[0].jsonBytes, as: UTF8.self) == #"{"at":"2026-11-29T10:00:00Z","id":7,"v":1.5}"#)
    }

    @Test("`$` takes the whole body: an array is the records, an object is one record; CSV by header")
    func wholeBodyAndCSV() throws {
        let array = try ResponseRecords.extract(Array(#"[{"a":1},{"a":2}]"#.utf8), settings: settings { $0.recordsPath = "$" })
        #expect(array.records.count == 2)
        let one = try ResponseRecords.extract(Array(#"{"a":1}"#.utf8), settings: settings { _ in })
        #expect(one.records.count == 1)
        let csv = try ResponseRecords.extract(Array("id,temp\ns1,20.5\ns2,19\n".utf8),
                                              settings: settings { $0.format = .csv; $0.keyPath = "id" })
        #expect(csv.records.map(\.key) == ["s1", "s2"])
        #expect(String(decoding: csv.records[1].jsonBytes, as: UTF8.self) == #"{"id":"s2","temp":19}"#)
    }

    @Test("a truncated body is a retriable error; records_path pointing at a non-array is not")
    func errors() {
        #expect(throws: ConnectorError.self) { try ResponseRecords.extract(Array(#"{"data":[{"a":1},"#.utf8), settings: settings { _ in }) }
        do {
            _ = try ResponseRecords.extract(Array(#"{"data":{"a":1}}"#.utf8), settings: settings { $0.recordsPath = "data" })
            Issue.record("expected an error")
        } catch let error as ConnectorError {
            #expect(!error.isRetriable && error.message.contains("not an array"))
        } catch {
            Issue.record("\(error)")
        }
        do {
            _ = try ResponseRecords.extract(Array(#"{"data":[1,"#.utf8), settings: settings { _ in })
        } catch let error as ConnectorError {
            #expect(error.isRetriable)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("cursor values: numbers numerically, text lexically (RFC 3339 times sort)")
    func cursorOrder() {
        #expect(CursorValue.number(9) < .number(10))
        #expect(CursorValue.text("2026-11-29T09:59:59Z") < .text("2026-11-29T10:00:00Z"))
        let cursor = HTTPJSONCursor(after: .number(42), etag: "\"abc\"", nextURL: nil)
        #expect(HTTPJSONCursor(cursor.text) == cursor)
        #expect(HTTPJSONCursor("garbage") == HTTPJSONCursor())
    }
}
