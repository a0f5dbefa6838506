import Foundation
import Pipeline
import StreamConfig

/// Lines of a file → records: JSON lines as they are (checked, so a bad line goes to the DLQ
/// instead of into the topic), CSV rows as JSON objects keyed by the file's header row.
enum FileRecords {
    static func make(_ lines: [ArraySlice<UInt8>], format: FileSourceSettings.Format, file: String,
                     startsAtBeginning: Bool) throws -> [SourceRecord] {
        switch format {
        case .jsonl:
            return lines.compactMap { line in
                let bytes = trimmed(line)
                guard !bytes.isEmpty else { return nil }
                if (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) == nil {
                    return SourceRecord(key: nil, value: Array(bytes), malformed: "not a JSON value (line of \(file))")
                }
                return SourceRecord(key: nil, value: Array(bytes))
            }
        case .csv:
            let headerLine = startsAtBeginning ? lines.first : try FileLines.firstLine(file)
            guard let headerLine else { return [] }
            let header = CSVTable.rows(Substring(decoding: headerLine, as: UTF8.self)).first ?? []
            let body = startsAtBeginning ? lines.dropFirst() : lines[...]
            return body.compactMap { line in
                let text = Substring(decoding: trimmed(line), as: UTF8.self)
                guard !text.isEmpty, let row = CSVTable.rows(text).first else { return nil }
                if row.count != header.count {
                    return SourceRecord(key: nil, value: Array(text.utf8),
                                        malformed: "CSV row has \(row.count) fields, the header \(header.count) (\(file))")
                }
                let object = CSVTable.objects(header: header, rows: [row][...])[0]
                return SourceRecord(key: nil, value: object.jsonBytes(order: header))
            }
        }
    }

    private static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var l = line
        while let last = l.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") { l = l.dropLast() }
        return l
    }
}
