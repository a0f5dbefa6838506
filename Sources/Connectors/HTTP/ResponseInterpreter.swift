import Foundation
import Pipeline
import StreamConfig

/// What an HTTP source type makes of a successful response: the records to emit, the cursor
/// after them and the next page's URL. The presets differ only here (and in the URL they build).
protocol ResponseInterpreter: Sendable {
    func interpret(_ body: [UInt8], cursor: HTTPJSONCursor) throws -> (records: [SourceRecord], cursor: HTTPJSONCursor, nextURL: String?)
    /// A readable detail from an error response's body, if the API has a format for it.
    func errorDetail(_ body: [UInt8]) -> String?
}

extension ResponseInterpreter {
    func errorDetail(_ body: [UInt8]) -> String? { nil }
}

extension ExtractedRecord {
    var sourceRecord: SourceRecord {
        SourceRecord(key: key.map { Array($0.utf8) }, value: jsonBytes, eventTimeMilliseconds: eventTimeMilliseconds)
    }
}

/// `http_json`: records by path; with `cursor_field`, only records past the cursor, and the
/// cursor moves to the largest value emitted.
struct HTTPJSONInterpreter: ResponseInterpreter {
    let settings: HTTPJSONSettings

    func interpret(_ body: [UInt8], cursor: HTTPJSONCursor) throws -> (records: [SourceRecord], cursor: HTTPJSONCursor, nextURL: String?) {
        let (extracted, next) = try ResponseRecords.extract(body, settings: settings)
        var cursor = cursor
        var records: [SourceRecord] = []
        var largest = cursor.after
        for record in extracted {
            if settings.cursorField != nil {
                guard let value = record.cursorValue else { continue }
                if let after = cursor.after, !(after < value) { continue }
                if largest.map({ $0 < value }) ?? true { largest = value }
            }
            records.append(record.sourceRecord)
        }
        cursor.after = largest
        return (records, cursor, next)
    }
}
