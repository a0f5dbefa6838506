import Foundation
import StreamConfig
import Pipeline
import StreamConfig

/// One record picked out of a response, before the source type decides what to emit.
struct ExtractedRecord {
    var object: Any
    var key: String?
    var eventTimeMilliseconds: Int64?
    /// The value of `cursor_field`, for incremental polling.
    var cursorValue: CursorValue?

    var jsonBytes: [UInt8] {
        let data = try? SortedJSON.data(object)
        return Array(data ?? Data("null".utf8))
    }
}

/// A response body → records, by `format`, `records_path`, `key_path`, `timestamp_path` and
/// `cursor_field`; plus the next page's URL (`next_url_path`).
enum ResponseRecords {
    static func extract(_ body: [UInt8], settings: HTTPJSONSettings) throws -> (records: [ExtractedRecord], nextURL: String?) {
        switch settings.format {
        case .csv:
            let rows = CSVTable.rows(Substring(decoding: body, as: UTF8.self))
            guard let header = rows.first else { return ([], nil) }
            let objects = CSVTable.objects(header: header, rows: rows.dropFirst())
            let paths = RecordPaths(settings)
            let records = objects.map { object -> ExtractedRecord in
                let json = (try? JSONSerialization.jsonObject(with: Data(object.jsonBytes(order: header)))) ?? [:]
                return paths.record(json)
            }
            return (records, nil)
        case .json:
            let document: Any
            do {
                document = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
            } catch {
                // Often a response cut short: worth another try.
                throw ConnectorError("response is not valid JSON (\(body.count) bytes): \(error.localizedDescription)",
                                     isRetriable: true)
            }
            let found = JSONPath(settings.recordsPath).value(in: document)
            let items: [Any]
            switch found {
            case let array as [Any]: items = array
            case .some(let one) where settings.recordsPath == nil || settings.recordsPath == "$": items = [one]
            case .none: items = []
            case .some:
                throw ConnectorError("records_path '\(settings.recordsPath ?? "$")' is not an array in the response",
                                     isRetriable: false)
            }
            let next = settings.nextURLPath.flatMap { JSONValues.text(JSONPath($0).value(in: document)) }
            return (items.map(RecordPaths(settings).record), next?.isEmpty == true ? nil : next)
        }
    }

    /// `key_path`, `timestamp_path` and `cursor_field`, parsed once per response rather than per record.
    private struct RecordPaths {
        let key: JSONPath?
        let timestamp: JSONPath?
        let cursor: JSONPath?

        init(_ s: HTTPJSONSettings) {
            key = s.keyPath.map(JSONPath.init)
            timestamp = s.timestampPath.map(JSONPath.init)
            cursor = s.cursorField.map(JSONPath.init)
        }

        func record(_ object: Any) -> ExtractedRecord {
            ExtractedRecord(object: object,
                            key: key.flatMap { JSONValues.text($0.value(in: object)) },
                            eventTimeMilliseconds: timestamp.flatMap { JSONValues.timestampMilliseconds($0.value(in: object)) },
                            cursorValue: cursor.flatMap { CursorValue($0.value(in: object)) })
        }
    }
}

/// A `cursor_field` value: numbers compare as numbers, anything else as text (RFC 3339 times
/// and zero-padded ids sort correctly as text).
enum CursorValue: Codable, Equatable, Comparable {
    case number(Double)
    case text(String)

    init?(_ value: Any?) {
        if let n = value as? NSNumber, !JSONValues.isBool(n) { self = .number(n.doubleValue) }
        else if let s = value as? String { self = .text(s) }
        else { return nil }
    }

    /// Stored as the value itself (`"after": 42`). Cursors written before were the synthesized
    /// form, `{"number":{"_0":42}}`: still read, so a stored position survives an upgrade.
    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let n = try? single.decode(Double.self) { self = .number(n); return }
        if let s = try? single.decode(String.self) { self = .text(s); return }
        let keyed = try decoder.container(keyedBy: LegacyKey.self)
        if let n = try? keyed.nestedContainer(keyedBy: LegacyKey.self, forKey: .number).decode(Double.self, forKey: ._0) {
            self = .number(n)
        } else {
            self = .text(try keyed.nestedContainer(keyedBy: LegacyKey.self, forKey: .text).decode(String.self, forKey: ._0))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .number(let n): try single.encode(n)
        case .text(let s): try single.encode(s)
        }
    }

    private enum LegacyKey: String, CodingKey { case number, text, _0 }

    static func < (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.number(let x), .text(let y)): return JSONValues.text(NSNumber(value: x))! < y
        case (.text(let x), .number(let y)): return x < JSONValues.text(NSNumber(value: y))!
        case (.text(let x), .text(let y)): return x < y
        }
    }
}
